//! Signature canonicalisation (pay-signing) over arbitrary input: Easytransac's V1
//! signature over arbitrary form and JSON field maps and over V1 answers, Easypay's
//! out-payment signing, verifying and timestamp check, and the V2 bearer token's claims
//! read without trusting them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use pay_easytransac::{field_names, wire};
use pay_signing::easypay::{
    RsaSigningKey, RsaVerifyingKey, TIMESTAMP_WINDOW, check_timestamp, sign_out_payment,
    verify_out_payment,
};
use pay_signing::easytransac::{
    Params, canonical_string, sign, verify, verify_notification, verify_response,
};
use pay_signing::{json, jwt};
use proptest::prelude::*;
use secrecy::{ExposeSecret, SecretString};
use serde_json::value::RawValue;

use crate::support::{
    assert_reached, body, fixture, fixtures, fuzz, json_text, member_names, text,
};

pub(crate) const API_KEY: &str = "et_test_fuzz-key";

pub(crate) fn api_key() -> SecretString {
    SecretString::from(API_KEY)
}

/// Form field names: the documented ones, PHP's bracket forms, and anything.
pub(crate) fn form_name() -> impl Strategy<Value = String> {
    let documented: Vec<String> = field_names::<wire::V1Notification>()
        .iter()
        .map(|n| (*n).to_owned())
        .collect();
    prop_oneof![
        4 => prop::sample::select(documented),
        2 => "[A-Za-z0-9_]{0,8}(\\[[A-Za-z0-9_]{0,5}\\]){0,3}[a-z.]{0,2}",
        1 => "(Client|List)\\[[A-Za-z0-9]{0,4}\\]",
        1 => any::<String>(),
    ]
}

/// Form pairs: arbitrary names and values, sometimes the notification's required ones.
pub(crate) fn form_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    (
        prop::collection::vec((form_name(), text()), 0..14),
        any::<bool>(),
        text(),
        text(),
    )
        .prop_map(|(mut pairs, required, tid, status)| {
            if required {
                pairs.insert(0, ("Tid".to_owned(), tid));
                pairs.push(("Status".to_owned(), status));
            }
            pairs
        })
}

#[test]
fn easytransac_signature_over_arbitrary_form_fields() {
    let key = api_key();
    let tally = fuzz(
        "pay_signing::easytransac over form fields",
        form_pairs(),
        |pairs, tally| {
            let Ok(params) = Params::from_form(&pairs) else {
                return Ok(());
            };
            tally.hit("params");
            let _ = verify_notification(&params, &key);
            if let Ok(signature) = sign(&params, &key) {
                tally.hit("signed");
                prop_assert!(verify(&params, &key, signature.as_str()).is_ok());
                prop_assert!(
                    verify(&params, &key, &signature.as_str().to_uppercase()).is_err()
                        || !signature.as_str().bytes().any(|b| b.is_ascii_alphabetic())
                );
                let canonical = canonical_string(&params, &key).map_err(fail)?;
                prop_assert!(canonical.expose_secret().ends_with(API_KEY));
            }
            Ok(())
        },
    );
    assert_reached(&tally, "signed");
}

#[test]
fn easytransac_signature_over_arbitrary_json() {
    let key = api_key();
    let seeds = fixtures("easytransac/examples", "v1_");
    let names = member_names(&seeds);
    let tally = fuzz(
        "pay_signing::easytransac over JSON",
        body(seeds, names),
        |bytes, tally| {
            let text = String::from_utf8_lossy(&bytes);
            let Ok(params) = Params::from_json_str(&text) else {
                return Ok(());
            };
            tally.hit("params");
            let _ = verify_notification(&params, &key);
            if let Ok(signature) = sign(&params, &key) {
                tally.hit("signed");
                prop_assert!(verify(&params, &key, signature.as_str()).is_ok());
            }
            Ok(())
        },
    );
    assert_reached(&tally, "signed");
}

/// A V1 answer `{"Code":0,"Signature":…,"Result":…}` over `result`, signed when it can be.
pub(crate) fn signed_v1_answer(result: &str, key: &SecretString) -> Option<String> {
    let params = Params::from_json_str(result).ok()?;
    let signature = sign(&params, key).ok()?;
    Some(format!(
        "{{\"Code\":0,\"Signature\":\"{}\",\"Result\":{result}}}",
        signature.as_str()
    ))
}

/// V1 answer bodies: mutated documented answers, structured ones, and correctly signed
/// answers over arbitrary `Result` objects.
pub(crate) fn v1_answer() -> impl Strategy<Value = (Vec<u8>, bool)> {
    let seeds = fixtures("easytransac/examples", "v1_");
    let names = member_names(&seeds);
    let key = api_key();
    prop_oneof![
        1 => body(seeds, names.clone()).prop_map(|b| (b, false)),
        1 => json_text(names).prop_map(move |result| match signed_v1_answer(&result, &key) {
            Some(answer) => (answer.into_bytes(), true),
            None => (result.into_bytes(), false),
        }),
    ]
}

#[test]
fn easytransac_v1_answer_signatures() {
    let key = api_key();
    let tally = fuzz(
        "pay_signing::easytransac::verify_response",
        v1_answer(),
        |(bytes, signed), tally| {
            let text = String::from_utf8_lossy(&bytes);
            let verified = verify_response(&text, &key);
            if signed {
                tally.hit("signed");
                prop_assert!(verified.is_ok(), "{:?}", verified.err());
            }
            if verified.is_ok() {
                tally.hit("verified");
            }
            Ok(())
        },
    );
    assert_reached(&tally, "verified");
}

/// A document read by `pay_signing::json` as a `serde_json::Value` (atoms and unread
/// containers read by `serde_json` from their own text; repeated names: the last wins,
/// as in `serde_json`).
fn value_of(document: &json::Document<'_>, node: &json::Node<'_>) -> serde_json::Value {
    use serde_json::Value;
    match node.kind() {
        json::Kind::Str { .. } => Value::String(node.string().unwrap_or_default().into_owned()),
        json::Kind::Object(_) => {
            let mut map = serde_json::Map::new();
            for member in document.members(node).unwrap_or_default() {
                map.insert(
                    member.key().into_owned(),
                    value_of(document, member.value()),
                );
            }
            Value::Object(map)
        }
        json::Kind::Array(_) => Value::Array(
            document
                .items(node)
                .map(|items| items.map(|item| value_of(document, item)).collect())
                .unwrap_or_default(),
        ),
        _ => serde_json::from_str(node.raw()).unwrap_or(Value::Null),
    }
}

/// The one-pass JSON reader behind every V1 answer: never accepts what `serde_json`
/// refuses, and reads what it accepts as `serde_json` does, at every depth it keeps.
#[test]
fn json_document_reads_as_serde_json_does() {
    let seeds = fixtures("easytransac/examples", "");
    let names = member_names(&seeds);
    let inputs = prop_oneof![
        2 => body(seeds, names.clone()),
        2 => json_text(names).prop_map(String::into_bytes),
        1 => text().prop_map(String::into_bytes),
    ];
    let tally = fuzz(
        "pay_signing::json::Document::read",
        inputs,
        |bytes, tally| {
            let Ok(text) = std::str::from_utf8(&bytes) else {
                return Ok(());
            };
            for levels in [1, 3, usize::MAX] {
                let Some(document) = json::Document::read(text, levels) else {
                    continue;
                };
                tally.hit("read");
                prop_assert!(
                    serde_json::from_str::<&RawValue>(text).is_ok(),
                    "accepted what serde_json refuses: {text:?}"
                );
                if let Ok(theirs) = serde_json::from_str::<serde_json::Value>(text) {
                    let mut ours = serde_json::Map::new();
                    for member in document.root() {
                        ours.insert(
                            member.key().into_owned(),
                            value_of(&document, member.value()),
                        );
                    }
                    prop_assert_eq!(serde_json::Value::Object(ours), theirs);
                    tally.hit("same reading");
                }
            }
            Ok(())
        },
    );
    assert_reached(&tally, "same reading");
}

pub(crate) fn signing_key() -> RsaSigningKey {
    let pem = String::from_utf8(fixture("easypay/keys/test-rsa-2048-pkcs8.pem")).expect("PEM");
    RsaSigningKey::from_pem(&SecretString::from(pem)).expect("the test key")
}

fn verifying_key() -> RsaVerifyingKey {
    let pem =
        String::from_utf8(fixture("easypay/keys/test-rsa-2048-public-spki.pem")).expect("PEM");
    RsaVerifyingKey::from_pem(&pem).expect("the test key")
}

fn at(seconds: u64) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

fn now_seconds() -> impl Strategy<Value = u64> {
    prop_oneof![
        // The seed bodies' own `timestamp`, so unmutated timestamps land in the window
        // often enough for the depth check whatever the run's random seed.
        3 => 1_699_999_000u64..1_700_001_000,
        3 => 1_600_000_000u64..1_800_000_000,
        1 => any::<u64>(),
        1 => prop::sample::select(&[0, u64::MAX, i64::MAX as u64, (i64::MAX as u64) + 1][..]),
    ]
}

/// An out-payment body of our own, its `timestamp` inside [`now_seconds`]'s first range.
const OUT_PAYMENT: &[u8] =
    br#"{"customer":{"name":"Bea"},"value":17.50,"method":"transfer","timestamp":"1700000000"}"#;

fn out_payment_bodies() -> impl Strategy<Value = Vec<u8>> {
    let mut seeds = fixtures("easypay/examples", "doc_post_out");
    seeds.push(OUT_PAYMENT.to_vec());
    let mut names = member_names(&seeds);
    names.push("timestamp".to_owned());
    body(seeds, names)
}

#[test]
fn easypay_check_timestamp_on_arbitrary_bodies() {
    let tally = fuzz(
        "pay_signing::easypay::check_timestamp",
        // One body in four unmutated, so that a fair share reaches the window check
        // whatever the seed (mutated bodies alone did in about 2 % of cases).
        (
            prop_oneof![3 => out_payment_bodies(), 1 => Just(OUT_PAYMENT.to_vec())],
            now_seconds(),
            any::<u64>(),
        ),
        |(bytes, now, window), tally| {
            let Some(now) = at(now) else { return Ok(()) };
            for window in [TIMESTAMP_WINDOW, Duration::from_secs(window)] {
                if check_timestamp(&bytes, now, window).is_ok() {
                    tally.hit("in window");
                }
            }
            Ok(())
        },
    );
    assert_reached(&tally, "in window");
}

#[test]
fn easypay_verify_out_payment_on_arbitrary_bytes() {
    let key = verifying_key();
    let genuine = {
        let now = at(1_700_000_000).expect("a time");
        let raw = serde_json::from_str::<Box<RawValue>>(r#"{"value":17.50,"timestamp":"0"}"#)
            .expect("JSON");
        sign_out_payment(&raw, &signing_key(), now).expect("signed")
    };
    let signature = prop_oneof![
        2 => "[A-Za-z0-9+/=]{0,400}",
        1 => any::<String>(),
        1 => Just(genuine.signature().to_owned()),
    ];
    let body = prop_oneof![out_payment_bodies(), Just(genuine.body().to_vec())];
    let tally = fuzz(
        "pay_signing::easypay::verify_out_payment",
        (body, signature, now_seconds()),
        |(bytes, signature, now), tally| {
            let Some(now) = at(now) else { return Ok(()) };
            match verify_out_payment(&key, &bytes, &signature, now, TIMESTAMP_WINDOW) {
                Ok(()) => tally.hit("verified"),
                Err(pay_signing::Error::TimestampOutOfWindow { .. }) => tally.hit("signature ok"),
                Err(_) => {}
            }
            Ok(())
        },
    );
    assert_reached(&tally, "signature ok");
}

#[test]
fn easypay_sign_out_payment_over_arbitrary_json() {
    let signing = signing_key();
    let verifying = verifying_key();
    let tally = fuzz(
        "pay_signing::easypay::sign_out_payment",
        (out_payment_bodies(), 1_600_000_000u64..1_800_000_000),
        |(bytes, now), tally| {
            let Some(now) = at(now) else { return Ok(()) };
            // What serialises as exactly these bytes: any valid JSON text.
            let Ok(raw) = serde_json::from_slice::<Box<RawValue>>(&bytes) else {
                return Ok(());
            };
            tally.hit("json");
            let Ok(signed) = sign_out_payment(&raw, &signing, now) else {
                return Ok(());
            };
            tally.hit("signed");
            prop_assert!(
                verify_out_payment(
                    &verifying,
                    signed.body(),
                    signed.signature(),
                    now,
                    TIMESTAMP_WINDOW
                )
                .is_ok()
            );
            Ok(())
        },
    );
    assert_reached(&tally, "signed");
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn jwt_claims_read_without_trust() {
    let names: Vec<String> = ["exp", "iat", "nbf", "sub", "alg", "typ"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let token = prop_oneof![
        1 => text(),
        3 => (json_text(names.clone()), json_text(names), "[A-Za-z0-9_-]{0,43}")
            .prop_map(|(h, p, s)| format!("{}.{}.{s}", b64(h.as_bytes()), b64(p.as_bytes()))),
        2 => crate::support::number_text().prop_map(|n| {
            let header = b64(br#"{"alg":"HS256","typ":"JWT"}"#);
            format!("{header}.{}.c2ln", b64(format!(r#"{{"exp":{n},"iat":{n}}}"#).as_bytes()))
        }),
    ];
    let tally = fuzz(
        "pay_signing::jwt::read_claims_unverified",
        (token, now_seconds()),
        |(token, now), tally| {
            let Ok(claims) = jwt::read_claims_unverified(&SecretString::from(token)) else {
                return Ok(());
            };
            tally.hit("claims");
            let _ = claims.subject();
            let _ = claims.issued_at();
            let _ = claims.not_before();
            if let (Some(expires), Some(now)) = (claims.expires_at(), at(now)) {
                tally.hit("expiry");
                let _ = jwt::needs_refresh(expires, now, Duration::from_secs(30));
            }
            Ok(())
        },
    );
    assert_reached(&tally, "expiry");
}

fn fail(e: pay_signing::Error) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}
