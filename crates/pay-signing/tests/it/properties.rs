//! Property tests: the V1 signature's invariances and sensitivity, RSA's rejection of any
//! one-byte change, and Easypay's signing of exact number tokens.

use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

use pay_signing::Error;
use pay_signing::easypay::{self, RsaSigningKey, RsaVerifyingKey};
use pay_signing::easytransac::{self, Params};
use proptest::prelude::*;
use secrecy::SecretString;
use serde::Serialize;
use serde_json::value::RawValue;

/// Field names as providers use them: a letter first, so never numeric.
fn field_name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,10}"
}

/// Distinct (case-insensitively) names with arbitrary string values.
fn fields() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::btree_map(field_name(), any::<String>(), 0..16)
        .prop_map(|m| m.into_iter().collect())
}

fn params_of(fields: &[(String, String)]) -> Params {
    fields
        .iter()
        .fold(Params::new(), |p, (k, v)| p.with(k.clone(), v.clone()))
}

fn toggle_case(key: &str, mask: u64) -> String {
    key.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

fn key() -> SecretString {
    SecretString::from("property-test-key")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn v1_ignores_key_case_and_field_order(fields in fields(), seed in any::<u64>(), masks in prop::collection::vec(any::<u64>(), 16)) {
        let reference = easytransac::sign(&params_of(&fields), &key()).unwrap();
        let mut shuffled: Vec<(String, String)> = fields
            .iter()
            .zip(masks.iter().cycle())
            .map(|((k, v), mask)| (toggle_case(k, *mask), v.clone()))
            .collect();
        // A seeded Fisher-Yates shuffle.
        let mut state = seed;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let j = usize::try_from(state >> 33).unwrap() % (i + 1);
            shuffled.swap(i, j);
        }
        let other = easytransac::sign(&params_of(&shuffled), &key()).unwrap();
        prop_assert_eq!(reference.as_str(), other.as_str());
    }

    #[test]
    fn v1_changes_when_any_signed_value_changes(fields in fields().prop_filter("non-empty", |f| !f.is_empty()), index in any::<prop::sample::Index>(), replacement in any::<String>()) {
        let i = index.index(fields.len());
        prop_assume!(fields[i].1 != replacement);
        let mut changed = fields.clone();
        changed[i].1 = replacement;
        let a = easytransac::sign(&params_of(&fields), &key()).unwrap();
        let b = easytransac::sign(&params_of(&changed), &key()).unwrap();
        prop_assert_ne!(a.as_str(), b.as_str());
    }

    #[test]
    fn v1_verify_accepts_its_own_signature(fields in fields(), nested in prop::collection::vec((field_name(), any::<String>()), 0..6)) {
        let params = params_of(&fields).with_nested("zz_nested", nested);
        let signature = easytransac::sign(&params, &key()).unwrap();
        prop_assert!(easytransac::verify(&params, &key(), signature.as_str()).is_ok());
        let other = SecretString::from("another-key");
        prop_assert!(matches!(easytransac::verify(&params, &other, signature.as_str()), Err(Error::SignatureMismatch)));
    }

    #[test]
    fn v1_form_round_trip_matches_builder(fields in fields()) {
        let params = params_of(&fields);
        let form = Params::from_form(&fields).unwrap();
        let a = easytransac::sign(&params, &key()).unwrap();
        let b = easytransac::sign(&form, &key()).unwrap();
        prop_assert_eq!(a.as_str(), b.as_str());
    }
}

fn rsa_2048() -> &'static (RsaSigningKey, RsaVerifyingKey) {
    static KEYS: OnceLock<(RsaSigningKey, RsaVerifyingKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let private = crate::easypay::signing_key("easypay/keys/test-rsa-2048-pkcs8.pem");
        let public = private.verifying_key().unwrap();
        (private, public)
    })
}

proptest! {
    // RSA signing is slow in debug builds; a few dozen cases cover the property.
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn rsa_rejects_a_body_changed_by_one_byte(body in prop::collection::vec(any::<u8>(), 1..512), index in any::<prop::sample::Index>(), delta in 1u8..=255) {
        let (private, public) = rsa_2048();
        let signature = private.sign(&body).unwrap();
        prop_assert!(public.verify(&body, &signature).is_ok());
        let mut changed = body.clone();
        let i = index.index(changed.len());
        changed[i] = changed[i].wrapping_add(delta);
        prop_assert!(matches!(public.verify(&changed, &signature), Err(Error::SignatureMismatch)));
    }
}

/// JSON number tokens as an exact decimal type writes them: any number of digits,
/// trailing zeros kept, optionally signed or in exponent form.
fn number_token() -> impl Strategy<Value = String> {
    "-?(0|[1-9][0-9]{0,30})(\\.[0-9]{1,20})?([eE][+-]?[0-9]{1,3})?"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn easypay_signs_number_tokens_verbatim(token in number_token(), secs in 0u64..4_000_000_000) {
        #[derive(Serialize)]
        struct Payout<'a> {
            key: &'a str,
            value: &'a RawValue,
        }
        let (private, public) = rsa_2048();
        let value = serde_json::from_str::<Box<RawValue>>(&token).unwrap();
        let payout = Payout { key: "k", value: &value };
        let signed = easypay::sign_out_payment(&payout, private, UNIX_EPOCH + Duration::from_secs(secs)).unwrap();
        let expected = format!(r#"{{"key":"k","value":{token},"timestamp":"{secs}"}}"#);
        prop_assert_eq!(signed.body(), expected.as_bytes());
        prop_assert!(public.verify(expected.as_bytes(), signed.signature()).is_ok());
    }
}
