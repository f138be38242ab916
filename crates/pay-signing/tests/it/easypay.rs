//! Easypay out-payment RSA signatures against the reference vector and OpenSSL-computed vectors,
//! and the exactness of what `sign_out_payment` signs (no number ever passes through a float).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pay_signing::easypay::{self, RsaSigningKey, RsaVerifyingKey, TIMESTAMP_WINDOW};
use pay_signing::{Error, KeyProblem};
use secrecy::SecretString;
use serde::Serialize;
use serde_json::json;
use serde_json::value::RawValue;

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

/// An exact JSON number token, as pay-core's `JsonNumber` writes one.
fn number(token: &str) -> Box<RawValue> {
    serde_json::from_str::<Box<RawValue>>(token).unwrap()
}

fn raw(json: &str) -> Box<RawValue> {
    RawValue::from_string(json.to_owned()).unwrap()
}

#[test]
fn sign_out_payment_reproduces_the_reference_vector() {
    #[derive(Serialize)]
    struct Payout {
        key: &'static str,
        method: &'static str,
        r#type: &'static str,
        value: Box<RawValue>,
    }
    let v = fixture_json("easypay/signature-vector.json");
    let key = RsaSigningKey::from_pem(&SecretString::from(str_of(&v, "private_key_pem"))).unwrap();
    let payout = Payout {
        key: "Key Example",
        method: "transfer",
        r#type: "normal",
        value: number("17.5"),
    };
    let signed = easypay::sign_out_payment(&payout, &key, at(1_696_642_539)).unwrap();
    // The documented body has `timestamp` last, after the caller's members.
    assert_eq!(
        std::str::from_utf8(signed.body()).unwrap(),
        str_of(&v, "body")
    );
    assert_eq!(signed.signature(), str_of(&v, "signature_base64"));
}

#[test]
fn a_timestamp_member_is_replaced_where_it_stands() {
    // Field order as in the OpenSSL vectors; `timestamp` is a placeholder, as in the
    // generated `OutPaymentCreateRequest`, whose `timestamp` is a required field.
    #[derive(Serialize)]
    struct Account {
        id: &'static str,
    }
    #[derive(Serialize)]
    struct Customer {
        name: &'static str,
    }
    #[derive(Serialize)]
    struct OutAccount {
        account_holder: &'static str,
        email: &'static str,
        iban: &'static str,
        phone: &'static str,
    }
    #[derive(Serialize)]
    struct Payout {
        account: Account,
        customer: Customer,
        descriptive: &'static str,
        key: &'static str,
        method: &'static str,
        out_account: OutAccount,
        timestamp: &'static str,
        r#type: &'static str,
        value: Box<RawValue>,
    }
    let doc = fixture_json("easypay/signature-vectors-openssl.json");
    let vector = doc["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "out_payment_transfer_2048_pkcs1")
        .unwrap();
    let key = signing_key(&format!("easypay/{}", str_of(vector, "private_key")));
    let payout = Payout {
        account: Account {
            id: "2b0f63e2-9fb5-4e52-aca0-b4bf0339bbe6",
        },
        customer: Customer {
            name: "João Silva"
        },
        descriptive: "Payout 42",
        key: "payout-42",
        method: "transfer",
        out_account: OutAccount {
            account_holder: "João Silva",
            email: "joao@example.com",
            iban: "PT50000201231234567890154",
            phone: "+351911234567",
        },
        timestamp: "0",
        r#type: "normal",
        value: number("17.5"),
    };
    let signed = easypay::sign_out_payment(&payout, &key, at(1_696_642_539)).unwrap();
    assert_eq!(
        std::str::from_utf8(signed.body()).unwrap(),
        str_of(vector, "body")
    );
    assert_eq!(signed.signature(), str_of(vector, "signature_base64"));

    // Not at the end and not in key order: still replaced in place.
    #[derive(Serialize)]
    struct Unsorted {
        value: Box<RawValue>,
        timestamp: &'static str,
        key: &'static str,
    }
    let unsorted = Unsorted {
        value: number("17.50"),
        timestamp: "1",
        key: "payout-1",
    };
    let signed = easypay::sign_out_payment(&unsorted, &key, at(1_700_000_000)).unwrap();
    assert_eq!(
        signed.body(),
        br#"{"value":17.50,"timestamp":"1700000000","key":"payout-1"}"#
    );
}

#[test]
fn exact_number_tokens_are_signed_verbatim() {
    #[derive(Serialize)]
    struct Amounts {
        key: &'static str,
        /// A float round trip prints `17.5`.
        value: Box<RawValue>,
        /// Prints as `0.3`, and is exactly that.
        three_tenths: Box<RawValue>,
        /// The shortest form of the double nearest 0.1 + 0.2; must not become `0.3`.
        float_sum: Box<RawValue>,
        /// More digits than a double holds: a float round trip prints `0.30000000000000004`.
        long_fraction: Box<RawValue>,
        /// 2^53 + 1.
        two_pow_53_plus_1: Box<RawValue>,
        /// 2^53 + 1 written as a decimal: a double turns it into `9007199254740992.0`.
        two_pow_53_plus_1_decimal: Box<RawValue>,
        /// Above `u64::MAX`: `serde_json::Value` can only keep it as a double.
        above_u64: Box<RawValue>,
        /// Out of a double's range: `serde_json::Value` refuses it outright.
        out_of_range: Box<RawValue>,
        /// Exponent form: a double prints `100.0`.
        exponent: Box<RawValue>,
        method: &'static str,
    }
    let key = signing_key("easypay/keys/test-rsa-2048-pkcs8.pem");
    let public = key.verifying_key().unwrap();
    let now = at(1_700_000_000);
    let body = Amounts {
        key: "payout-1",
        value: number("17.50"),
        three_tenths: number("0.3"),
        float_sum: number("0.30000000000000004"),
        long_fraction: number("0.30000000000000004441"),
        two_pow_53_plus_1: number("9007199254740993"),
        two_pow_53_plus_1_decimal: number("9007199254740993.00"),
        above_u64: number("18446744073709551617"),
        out_of_range: number("1e400"),
        exponent: number("1E+2"),
        method: "transfer",
    };
    let signed = easypay::sign_out_payment(&body, &key, now).unwrap();
    let expected = concat!(
        r#"{"key":"payout-1","value":17.50,"three_tenths":0.3,"float_sum":0.30000000000000004,"#,
        r#""long_fraction":0.30000000000000004441,"two_pow_53_plus_1":9007199254740993,"#,
        r#""two_pow_53_plus_1_decimal":9007199254740993.00,"above_u64":18446744073709551617,"#,
        r#""out_of_range":1e400,"exponent":1E+2,"method":"transfer","timestamp":"1700000000"}"#
    );
    assert_eq!(std::str::from_utf8(signed.body()).unwrap(), expected);
    // Byte for byte the caller's own serialisation, with only the stamp added.
    let own = serde_json::to_vec(&body).unwrap();
    assert_eq!(&signed.body()[..own.len() - 1], &own[..own.len() - 1]);
    // The signature is over exactly those bytes, and the server side reads them
    // without choking on numbers a double cannot hold.
    public
        .verify(expected.as_bytes(), signed.signature())
        .unwrap();
    easypay::verify_out_payment(
        &public,
        signed.body(),
        signed.signature(),
        now,
        TIMESTAMP_WINDOW,
    )
    .unwrap();
    // The same JSON with any token in its float form is not what was signed.
    for (exact, float_form) in [
        ("17.50", "17.5"),
        ("0.30000000000000004441", "0.30000000000000004"),
        ("9007199254740993.00", "9007199254740992.0"),
    ] {
        let altered = expected.replacen(exact, float_form, 1);
        assert_ne!(altered, expected);
        assert!(matches!(
            public.verify(altered.as_bytes(), signed.signature()),
            Err(Error::SignatureMismatch)
        ));
    }
}

#[test]
fn the_callers_member_order_is_kept() {
    #[derive(Serialize)]
    struct OutAccount {
        phone: &'static str,
        iban: &'static str,
        account_holder: &'static str,
    }
    #[derive(Serialize)]
    struct Payout {
        value: Box<RawValue>,
        method: &'static str,
        out_account: OutAccount,
        key: &'static str,
        customer: Box<RawValue>,
    }
    let key = signing_key("easypay/keys/test-rsa-2048-pkcs8.pem");
    let payout = Payout {
        value: number("10.00"),
        method: "transfer",
        out_account: OutAccount {
            phone: "912345678",
            iban: "PT50000201231234567890154",
            account_holder: "Zé",
        },
        key: "k",
        customer: raw(r#"{"name":"Zé","email":"z@example.org"}"#),
    };
    let signed = easypay::sign_out_payment(&payout, &key, at(42)).unwrap();
    assert_eq!(
        std::str::from_utf8(signed.body()).unwrap(),
        concat!(
            r#"{"value":10.00,"method":"transfer","#,
            r#""out_account":{"phone":"912345678","iban":"PT50000201231234567890154","account_holder":"Zé"},"#,
            r#""key":"k","customer":{"name":"Zé","email":"z@example.org"},"timestamp":"42"}"#
        )
    );
    key.verifying_key()
        .unwrap()
        .verify(signed.body(), signed.signature())
        .unwrap();
}

#[test]
fn the_stamp_is_spliced_into_the_exact_text() {
    let key = signing_key("easypay/keys/test-rsa-2048-pkcs8.pem");
    let sign = |json: &str| {
        let body = raw(json);
        easypay::sign_out_payment(&*body, &key, at(5))
            .map(|s| String::from_utf8(s.into_parts().0).unwrap())
    };
    assert_eq!(sign("{}").unwrap(), r#"{"timestamp":"5"}"#);
    // A caller's pre-serialised body keeps even its whitespace.
    assert_eq!(sign("{ }").unwrap(), r#"{ "timestamp":"5"}"#);
    assert_eq!(
        sign(r#"{ "value" : 1.10 , "n" : [1.0, {"timestamp": 1}] }"#).unwrap(),
        r#"{ "value" : 1.10 , "n" : [1.0, {"timestamp": 1}] ,"timestamp":"5"}"#
    );
    assert_eq!(
        sign(r#"{"timestamp" : 7 , "value":2.50}"#).unwrap(),
        r#"{"timestamp" : "5" , "value":2.50}"#
    );
    // An escaped key is still the key `timestamp`.
    assert_eq!(
        sign(r#"{"time\u0073tamp":null}"#).unwrap(),
        r#"{"time\u0073tamp":"5"}"#
    );
    // Two top-level timestamps: which one Easypay reads is not ours to guess.
    assert!(matches!(
        sign(r#"{"timestamp":"1","value":1,"timestamp":"2"}"#),
        Err(Error::MalformedInput { .. })
    ));
    for not_an_object in ["[]", r#"["timestamp"]"#, "1", r#""{}""#, "null", "true"] {
        assert!(
            matches!(sign(not_an_object), Err(Error::MalformedInput { .. })),
            "{not_an_object}"
        );
    }
}

#[test]
fn check_timestamp_reads_only_the_timestamp() {
    let now = at(1_000);
    let ok = |body: &str| easypay::check_timestamp(body.as_bytes(), now, TIMESTAMP_WINDOW);
    // Numbers a double cannot hold (or that `serde_json::Value` refuses) are not read.
    ok(r#"{"value":1e400,"big":18446744073709551617,"timestamp":"1000"}"#).unwrap();
    ok(r#" { "timestamp" : "1000" } "#).unwrap();
    assert!(matches!(
        ok(r#"{"timestamp":"1000","timestamp":"1000"}"#),
        Err(Error::MalformedInput { .. })
    ));
    assert!(matches!(
        ok(r#"["1000"]"#),
        Err(Error::MalformedInput { .. })
    ));
    assert!(matches!(
        ok(r#"{"timestamp":"1000"} x"#),
        Err(Error::MalformedInput { .. })
    ));
    assert!(matches!(
        ok(r#"{"timestamp":1e400}"#),
        Err(Error::MalformedInput { .. })
    ));
    assert!(matches!(
        ok(r#"{"timestamp":null,"value":1}"#),
        Err(Error::MissingField {
            name: "timestamp",
            ..
        })
    ));
    assert!(matches!(
        ok(r#"{"timestamp":"99999999999999999999"}"#),
        Err(Error::MalformedInput { .. })
    ));
}
