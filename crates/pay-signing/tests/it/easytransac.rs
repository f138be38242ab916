//! Easytransac V1 signature against the provider's vectors and our own per-rule vectors.

use pay_signing::Error;
use pay_signing::easytransac::{self, FieldValue, Params, Scalar};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::support::{fixture_json, str_of};

fn key(s: &str) -> SecretString {
    SecretString::from(s)
}

/// Signs `params` and checks the expected signature (and canonical string, when given).
fn check(name: &str, params: &Params, api_key: &str, canonical: Option<&str>, expected: &str) {
    let api_key = key(api_key);
    let signature = easytransac::sign(params, &api_key).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(signature.as_str(), expected, "{name}");
    easytransac::verify(params, &api_key, expected).unwrap_or_else(|e| panic!("{name}: {e}"));
    if let Some(canonical) = canonical {
        let actual = easytransac::canonical_string(params, &api_key).unwrap();
        assert_eq!(actual.expose_secret(), canonical, "{name}");
    }
}

#[test]
fn every_reference_vector_passes() {
    let vectors = fixture_json("easytransac/signature-vectors.json");
    let vectors = vectors.as_array().unwrap();
    assert_eq!(vectors.len(), 8);
    for v in vectors {
        let name = str_of(v, "name");
        let api_key = str_of(v, "api_key");
        let expected = str_of(v, "signature");
        // Through a parsed `Value` and through the text (document order).
        check(
            name,
            &Params::from_json(&v["params"]).unwrap(),
            api_key,
            None,
            expected,
        );
        let text = serde_json::to_string(&v["params"]).unwrap();
        check(
            name,
            &Params::from_json_str(&text).unwrap(),
            api_key,
            None,
            expected,
        );
    }
}

#[test]
fn reference_canonical_strings() {
    // The full strings of reference §2.4 (the table truncates long ones).
    let vectors = fixture_json("easytransac/signature-vectors.json");
    let expected = [
        (
            "doc_example_card_payment",
            "1234$123$09$1234567897654321$2016$89.184.22.134$john@doe.com$Abc123$YOURAPIKEY",
        ),
        ("sdk_unit_test_nested", "abc$bcd$cde$abc$abc$abcd"),
        ("mixed_case_keys", "1$x$2$3$k3y"),
        ("signature_key_ignored", "captured$9XLknkv8$myApiKey"),
        ("empty_values", "100$$A-1$secret"),
        ("unicode_values", "Saint-Étienne$Café ☕ 10€$Émilie$clé-api"),
        ("empty_params", "onlykey"),
    ];
    for (name, canonical) in expected {
        let v = vectors
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .unwrap();
        check(
            name,
            &Params::from_json(&v["params"]).unwrap(),
            str_of(v, "api_key"),
            Some(canonical),
            str_of(v, "signature"),
        );
    }
}

#[test]
fn every_extra_vector_passes() {
    let doc = fixture_json("easytransac/signature-vectors-extra.json");
    let vectors = doc["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 27);
    for v in vectors {
        let name = str_of(v, "name");
        let params = match str_of(v, "kind") {
            "json" => {
                Params::from_json_str(str_of(v, "input")).unwrap_or_else(|e| panic!("{name}: {e}"))
            }
            "form" => {
                let pairs: Vec<(String, String)> =
                    serde_json::from_value(v["input"].clone()).unwrap();
                Params::from_form(&pairs).unwrap_or_else(|e| panic!("{name}: {e}"))
            }
            other => panic!("{name}: unknown kind {other}"),
        };
        check(
            name,
            &params,
            str_of(v, "api_key"),
            Some(str_of(v, "canonical")),
            str_of(v, "signature"),
        );
    }
}

/// The reference notification fixture as posted form fields (`Client[Id]=…`).
fn notification_form() -> Vec<(String, String)> {
    let vectors = fixture_json("easytransac/signature-vectors.json");
    let v = vectors
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "sdk_notification_fixture")
        .unwrap();
    let mut pairs = Vec::new();
    for (k, value) in v["params"].as_object().unwrap() {
        match value {
            serde_json::Value::Object(client) => {
                for (ck, cv) in client {
                    pairs.push((format!("{k}[{ck}]"), cv.as_str().unwrap().to_owned()));
                }
            }
            other => pairs.push((k.clone(), other.as_str().unwrap().to_owned())),
        }
    }
    pairs
}

fn notification_json() -> serde_json::Value {
    let vectors = fixture_json("easytransac/signature-vectors.json");
    vectors
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "sdk_notification_fixture")
        .unwrap()["params"]
        .clone()
}

#[test]
fn form_and_json_notifications_verify_identically() {
    let api_key = key("myApiKey");
    let form = Params::from_form(&notification_form()).unwrap();
    easytransac::verify_notification(&form, &api_key).unwrap();
    assert_eq!(
        easytransac::sign(&form, &api_key).unwrap().as_str(),
        "bcff7f9ffa5f65fd2cbac2fdd2255484b931fe76"
    );
    let json = Params::from_json_str(&notification_json().to_string()).unwrap();
    easytransac::verify_notification(&json, &api_key).unwrap();
    assert!(easytransac::verify_notification(&form, &key("otherKey")).is_err());
}

#[test]
fn tampered_notifications_fail() {
    let api_key = key("myApiKey");
    let tamper = |field: &str, value: &str| {
        let pairs: Vec<(String, String)> = notification_form()
            .into_iter()
            .map(|(k, v)| {
                if k == field {
                    (k, value.to_owned())
                } else {
                    (k, v)
                }
            })
            .collect();
        easytransac::verify_notification(&Params::from_form(&pairs).unwrap(), &api_key)
    };
    assert!(matches!(
        tamper("Amount", "1800.00"),
        Err(Error::SignatureMismatch)
    ));
    assert!(matches!(
        tamper("Status", "failed"),
        Err(Error::SignatureMismatch)
    ));
    assert!(matches!(
        tamper("Client[Email]", "mallory@example.com"),
        Err(Error::SignatureMismatch)
    ));
    assert!(matches!(
        tamper("Signature", "BCFF7F9FFA5F65FD2CBAC2FDD2255484B931FE76"),
        Err(Error::SignatureMismatch)
    ));
    // An extra field changes what is signed.
    let mut extra = notification_form();
    extra.push(("Refund".into(), "yes".into()));
    assert!(matches!(
        easytransac::verify_notification(&Params::from_form(&extra).unwrap(), &api_key),
        Err(Error::SignatureMismatch)
    ));
}

#[test]
fn notifications_need_tid_status_and_signature_first() {
    let api_key = key("myApiKey");
    for missing in ["Tid", "Status", "Signature"] {
        let pairs: Vec<(String, String)> = notification_form()
            .into_iter()
            .filter(|(k, _)| k != missing)
            .collect();
        let err = easytransac::verify_notification(&Params::from_form(&pairs).unwrap(), &api_key)
            .unwrap_err();
        assert!(
            matches!(err, Error::MissingField { name, .. } if name == missing),
            "{missing}: {err}"
        );
    }
    // Case matters for the presence check, like PHP's isset($data['Tid']).
    let pairs: Vec<(String, String)> = notification_form()
        .into_iter()
        .map(|(k, v)| {
            if k == "Tid" {
                ("TID".to_owned(), v)
            } else {
                (k, v)
            }
        })
        .collect();
    assert!(matches!(
        easytransac::verify_notification(&Params::from_form(&pairs).unwrap(), &api_key),
        Err(Error::MissingField { name: "Tid", .. })
    ));
    // JSON null counts as missing; an empty string counts as present.
    let mut json = notification_json();
    json["Status"] = serde_json::Value::Null;
    let err =
        easytransac::verify_notification(&Params::from_json(&json).unwrap(), &api_key).unwrap_err();
    assert!(matches!(err, Error::MissingField { name: "Status", .. }));
    json["Status"] = json!("");
    let err =
        easytransac::verify_notification(&Params::from_json(&json).unwrap(), &api_key).unwrap_err();
    assert!(matches!(err, Error::SignatureMismatch));
}

#[test]
fn responses_verify_over_result_only() {
    let api_key = key("abcd");
    let result = json!({"arg1": "abc", "arg2": "bcd", "arg3": "cde", "arg4": {"arg4.1": "abc"}, "arg5": {"arg5.1": "abc"}});
    let body = json!({"Code": 0, "Signature": "75822e279f8b9f9902b76672921356361f055e00", "Result": result}).to_string();
    easytransac::verify_response(&body, &api_key).unwrap();

    let tampered = body.replace("\"bcd\"", "\"bce\"");
    assert!(matches!(
        easytransac::verify_response(&tampered, &api_key),
        Err(Error::SignatureMismatch)
    ));
    let no_signature = json!({"Code": 0, "Result": {"a": "1"}}).to_string();
    assert!(matches!(
        easytransac::verify_response(&no_signature, &api_key),
        Err(Error::MissingField {
            name: "Signature",
            ..
        })
    ));
    let no_result = json!({"Code": 0, "Signature": "x"}).to_string();
    assert!(matches!(
        easytransac::verify_response(&no_result, &api_key),
        Err(Error::MissingField { name: "Result", .. })
    ));
    assert!(matches!(
        easytransac::verify_response("[1]", &api_key),
        Err(Error::MalformedInput { .. })
    ));
    assert!(matches!(
        easytransac::verify_response("<html>502</html>", &api_key),
        Err(Error::MalformedInput { .. })
    ));
}

#[test]
fn list_results_verify() {
    let doc = fixture_json("easytransac/signature-vectors-extra.json");
    let v = doc["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "list_of_flat_objects_result")
        .unwrap();
    let body = format!(
        r#"{{"Code":0,"Signature":"{}","Result":{}}}"#,
        str_of(v, "signature"),
        str_of(v, "input")
    );
    easytransac::verify_response(&body, &key("myApiKey")).unwrap();
}

#[test]
fn depth_three_is_a_typed_error_not_a_guess() {
    let api_key = key("k");
    let body =
        json!({"Code": 0, "Signature": "x", "Result": {"Client": {"Address": {"City": "Paris"}}}})
            .to_string();
    let err = easytransac::verify_response(&body, &api_key).unwrap_err();
    assert!(
        matches!(&err, Error::TooDeeplyNested { key, .. } if key == "Client"),
        "{err}"
    );
    let list_of_lists = json!([[{"a": 1}]]);
    assert!(matches!(
        Params::from_json(&list_of_lists),
        Err(Error::TooDeeplyNested { .. })
    ));
    assert!(
        matches!(Params::from_form(&[("Client[Address][City]", "Paris")]), Err(Error::TooDeeplyNested { key, .. }) if key == "Client")
    );
}

#[test]
fn builder_and_parsers_agree() {
    let built = Params::new()
        .with("Tid", "t1")
        .with("Amount", "18.00")
        .with_nested("Client", [("Id", "c1"), ("Email", "e")]);
    let form = Params::from_form(&[
        ("Tid", "t1"),
        ("Amount", "18.00"),
        ("Client[Id]", "c1"),
        ("Client[Email]", "e"),
    ])
    .unwrap();
    let json =
        Params::from_json_str(r#"{"Tid":"t1","Amount":"18.00","Client":{"Id":"c1","Email":"e"}}"#)
            .unwrap();
    assert_eq!(built, form);
    assert_eq!(built, json);
    let api_key = key("k");
    assert_eq!(
        easytransac::sign(&built, &api_key).unwrap().as_str(),
        easytransac::sign(&json, &api_key).unwrap().as_str()
    );
    assert_eq!(
        built.get("Client"),
        Some(&FieldValue::Nested(vec![
            ("Id".into(), Scalar::from("c1")),
            ("Email".into(), Scalar::from("e"))
        ]))
    );
}
