//! The Easytransac V1 signature's behaviour pinned through the public API only (so it holds
//! whatever the implementation): the exact canonical string for every kind of value and
//! key, `sign` as SHA-1 of that string in lower-case hex for every length, the parsers'
//! PHP semantics, and the checks of `verify_response` and `verify_notification`. Found
//! by mutation testing (docs/mutation-testing.md).

use aws_lc_rs::digest;
use pay_signing::Error;
use pay_signing::easytransac::{self, FieldValue, Params, Scalar};
use secrecy::{ExposeSecret, SecretString};

fn key() -> SecretString {
    SecretString::from("K")
}

/// The canonical string of `params`, API key `K` included.
fn canonical(params: &Params) -> String {
    easytransac::canonical_string(params, &key())
        .unwrap()
        .expose_secret()
        .to_owned()
}

fn canonical_json(json: &str) -> String {
    canonical(&Params::from_json_str(json).unwrap())
}

/// SHA-1 of `text` in lower-case hex, computed independently of the signer.
fn sha1_hex(text: &str) -> String {
    let digest = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, text.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn scalars_render_like_php() {
    let owned = "x".to_owned();
    let params = Params::new()
        .with("a", -120)
        .with("b", 0)
        .with("c", i64::MIN)
        .with("d", i64::MAX)
        .with("e", true)
        .with("f", false)
        .with("g", None::<&str>)
        .with("h", 7u32)
        .with("i", -7i32)
        .with("j", &owned)
        .with("k", Some("y"))
        .with("l", 10);
    assert_eq!(
        canonical(&params),
        "-120$0$-9223372036854775808$9223372036854775807$1$$$7$-7$x$y$10$K"
    );
    // Borrowed, not moved: the caller keeps its string.
    assert_eq!(owned, "x");
}

#[test]
fn signature_fields_are_left_out_and_case_folds_last_wins() {
    let params = Params::new()
        .with("Signature", "s1")
        .with("b", "1")
        .with("B", "2")
        .with("SIGNATURE", "s2")
        .with("a", "3");
    assert_eq!(canonical(&params), "3$2$K");
    // Nested levels fold too; the level sorts by its own keys.
    let params = Params::new().with_nested("Client", [("Id", "1"), ("email", "e"), ("ID", "2")]);
    assert_eq!(canonical(&params), "e$2$K");
    // A nested `signature` is a value like any other.
    let params = Params::new().with_nested("x", [("signature", "v")]);
    assert_eq!(canonical(&params), "v$K");
}

#[test]
fn long_levels_fold_like_short_ones() {
    // More than 32 fields take another path to find case duplicates.
    let mut params = Params::new();
    for i in 0..40 {
        params.push(format!("Field{i:02}"), format!("{i}"));
    }
    params.push("FIELD05", "last");
    params.push("field39", "end");
    let text = canonical(&params);
    let mut expected: Vec<String> = (0..40).map(|i| i.to_string()).collect();
    expected[5] = "last".to_owned();
    expected[39] = "end".to_owned();
    assert_eq!(text, format!("{}$K", expected.join("$")));
    assert_eq!(params.len(), 42);
}

#[test]
fn keys_sort_like_php_ksort() {
    // Byte order for names, numeric order for integer keys.
    assert_eq!(
        canonical_json(r#"{"b":1,"a_":2,"a":3,"A1":4}"#),
        "3$4$2$1$K"
    );
    assert_eq!(
        canonical_json(r#"{"10":"ten","9":"nine","2":"two","-1":"minus"}"#),
        "minus$two$nine$ten$K"
    );
    // Numeric strings compare numerically with integer keys; names after numbers here.
    assert_eq!(
        canonical_json(r#"{"b":"B","10":"ten","1.5":"x","9":"nine"}"#),
        "x$nine$ten$B$K"
    );
    // Keys PHP considers equal keep their input order (a stable sort).
    assert_eq!(canonical_json(r#"{"1e1":"a","10":"b"}"#), "a$b$K");
    assert_eq!(canonical_json(r#"{"10":"b","1e1":"a"}"#), "b$a$K");
    assert_eq!(canonical_json(r#"{" 5":"a","5.0":"b","4":"c"}"#), "c$a$b$K");
    // Only numeric strings, in a longer list: numeric order throughout.
    assert_eq!(
        canonical_json(r#"{"3.5":"d","1.5":"b","2.5":"c","0.5":"a","4.5":"e"}"#),
        "a$b$c$d$e$K"
    );
}

#[test]
fn intransitive_key_orders_are_refused() {
    // 9 < 10 and 10 < "1a" (as text) but "1a" < 9 (as text): no order PHP would agree on.
    let params = Params::from_json_str(r#"{"9":1,"10":2,"1a":3}"#).unwrap();
    let err = easytransac::sign(&params, &key()).unwrap_err();
    assert!(matches!(err, Error::AmbiguousKeyOrder { .. }), "{err:?}");
    assert!(easytransac::canonical_string(&params, &key()).is_err());
    // Numbers PHP would compare as imprecise doubles are refused too.
    let params = Params::from_json_str(r#"{"0.1000000000000000001":1,"0.1":2}"#).unwrap();
    assert!(matches!(
        easytransac::sign(&params, &key()),
        Err(Error::AmbiguousKeyOrder { .. })
    ));
    // A numeric key beside names that sorts the same whichever way is accepted.
    assert_eq!(canonical_json(r#"{"x":1,"5":2,"y":3}"#), "2$1$3$K");
}

#[test]
fn sign_is_sha1_of_the_canonical_string_in_lower_hex() {
    // Values of every length around the signer's internal buffer sizes.
    for len in [
        0usize, 1, 100, 200, 250, 254, 255, 256, 257, 300, 511, 512, 513, 1000,
    ] {
        let value = "v".repeat(len);
        let params = Params::new()
            .with("a", value.as_str())
            .with("b", "x".repeat(len % 7))
            .with_nested("c", [("k", value.as_str()), ("j", "short")]);
        let signature = easytransac::sign(&params, &key()).unwrap();
        let expected = sha1_hex(&canonical(&params));
        assert_eq!(signature.as_str(), expected, "{len}");
        assert_eq!(signature.to_string(), expected);
        assert_eq!(format!("{signature:?}"), format!("Signature({expected:?})"));
        assert_eq!(signature.into_string(), expected);
    }
    let many: Params = (0..100).fold(Params::new(), |p, i| p.with(format!("k{i}"), "0123456789"));
    assert_eq!(
        easytransac::sign(&many, &key()).unwrap().as_str(),
        sha1_hex(&canonical(&many))
    );
}

#[test]
fn verify_accepts_only_the_exact_signature() {
    let params = Params::new().with("Tid", "T1");
    let good = easytransac::sign(&params, &key()).unwrap().into_string();
    assert!(easytransac::verify(&params, &key(), &good).is_ok());
    for bad in [
        good.to_uppercase(),
        good[..39].to_owned(),
        format!("{good}0"),
        String::new(),
    ] {
        assert!(matches!(
            easytransac::verify(&params, &key(), &bad),
            Err(Error::SignatureMismatch)
        ));
    }
}

#[test]
fn params_accessors() {
    let mut params = Params::new();
    assert!(params.is_empty());
    assert_eq!(params.len(), 0);
    params.push("Tid", "1");
    params.push("tid", "2");
    params.push("Tid", "3");
    assert!(!params.is_empty());
    assert_eq!(params.len(), 3);
    assert_eq!(
        params.get("Tid"),
        Some(&FieldValue::Scalar(Scalar::Str("3".into())))
    );
    assert_eq!(
        params.get("tid"),
        Some(&FieldValue::Scalar(Scalar::Str("2".into())))
    );
    assert_eq!(params.get("TID"), None);
    let keys: Vec<&str> = params.iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["Tid", "tid", "Tid"]);
    let shown = format!(
        "{:?}",
        params
            .clone()
            .with_nested("Client", [("Card", "4111111111111111")])
    );
    assert_eq!(shown, r#"Params { keys: ["Tid", "tid", "Tid", "Client"] }"#);
    let debug = |value: FieldValue| format!("{value:?}");
    assert_eq!(
        debug(Scalar::Str("secret".into()).into()),
        "Str(<redacted>)"
    );
    assert_eq!(debug(Scalar::Int(4111).into()), "Int(<redacted>)");
    assert_eq!(debug(Scalar::Bool(true).into()), "Bool(<redacted>)");
    assert_eq!(debug(Scalar::Null.into()), "Null");
    assert_eq!(
        debug(FieldValue::Nested(vec![(
            "Card".into(),
            Scalar::Str("4111".into())
        )])),
        r#"["Card: <redacted>"]"#
    );
}

#[test]
fn forms_fill_fields_like_php_post() {
    let form = |pairs: &[(&str, &str)]| Params::from_form(pairs).map(|p| canonical(&p));
    assert_eq!(
        form(&[("b", "1"), ("a", "2"), ("b", "3")]).unwrap(),
        "2$3$K",
        "a later flat value replaces the earlier one"
    );
    assert_eq!(
        form(&[
            ("L[]", "x"),
            ("L[]", "y"),
            ("L[5]", "z"),
            ("L[]", "w"),
            ("L[0]", "X")
        ])
        .unwrap(),
        "X$y$z$w$K"
    );
    // Negative indexes: the next free index is still 0.
    assert_eq!(form(&[("L[-5]", "a"), ("L[]", "b")]).unwrap(), "a$b$K");
    // A scalar is replaced by a new array, and an array by a scalar.
    assert_eq!(
        form(&[("C", "s"), ("C[Id]", "1"), ("D", "t")]).unwrap(),
        "1$t$K"
    );
    assert_eq!(form(&[("C[Id]", "1"), ("C", "s")]).unwrap(), "s$K");
    // An unmatched `[` is part of a flat name.
    let flat = Params::from_form(&[("a[b", "1")]).unwrap();
    assert_eq!(
        flat.get("a[b"),
        Some(&FieldValue::Scalar(Scalar::Str("1".into())))
    );
    assert!(matches!(
        Params::from_form(&[("a[b][c]", "1")]),
        Err(Error::TooDeeplyNested { key, .. }) if key == "a"
    ));
    for bad in ["[x]", "a[b]c"] {
        assert!(
            matches!(
                Params::from_form(&[(bad, "1")]),
                Err(Error::MalformedInput { .. })
            ),
            "{bad}"
        );
    }
    let nested = Params::from_form(&[("C[Id]", "1"), ("C[Id]", "2"), ("C[x]", "3")]).unwrap();
    assert_eq!(
        nested.get("C"),
        Some(&FieldValue::Nested(vec![
            ("Id".into(), Scalar::Str("2".into())),
            ("x".into(), Scalar::Str("3".into())),
        ]))
    );
}

#[test]
fn json_numbers_sign_with_their_php_text() {
    // Where PHP switches to exponent notation (precision 14).
    assert_eq!(
        canonical_json(r#"{"a":99999999999999.0}"#),
        "99999999999999$K"
    );
    assert_eq!(canonical_json(r#"{"a":1e14}"#), "1.0E+14$K");
    assert_eq!(canonical_json(r#"{"a":0.0001}"#), "0.0001$K");
    assert_eq!(canonical_json(r#"{"a":0.00001}"#), "1.0E-5$K");
    assert_eq!(
        canonical_json(r#"{"a":17.50,"b":-0.5,"c":-0}"#),
        "17.5$-0.5$-0$K"
    );
    // Integers: 19 digits stay integers; 20 digits beyond i64 are refused rather than
    // guessed; beyond u64 they are doubles, as PHP's json_decode makes them.
    assert_eq!(
        canonical_json(r#"{"a":9223372036854775807,"b":-9223372036854775808}"#),
        "9223372036854775807$-9223372036854775808$K"
    );
    for big in ["12345678901234567890", "9223372036854775808"] {
        let json = format!(r#"{{"a":{big}}}"#);
        assert!(
            matches!(Params::from_json_str(&json), Err(Error::UnsupportedNumber { key, .. }) if key == "a"),
            "{big}"
        );
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(matches!(
            Params::from_json(&value),
            Err(Error::UnsupportedNumber { .. })
        ));
    }
    assert_eq!(
        canonical_json(r#"{"a":100000000000000000000}"#),
        "1.0E+20$K"
    );
    // A number PHP would round at a half-way 15th digit cannot be signed exactly.
    assert!(matches!(
        Params::from_json_str(r#"{"a":123456789012345.0}"#),
        Err(Error::UnsupportedNumber { .. })
    ));
    assert!(matches!(
        Params::from_json_str(r#"{"a":[123456789012345.0]}"#),
        Err(Error::UnsupportedNumber { .. })
    ));
}

#[test]
fn top_level_lists_and_scalars_sign_like_objects() {
    // A list is keyed 0, 1, …; its numbers keep their text.
    let text = r#"[17.50, 1, "a", true, null, {"x":2.50,"y":"z"}, [3, "4"]]"#;
    let expected = "17.5$1$a$1$$2.5$z$3$4$K";
    assert_eq!(canonical_json(text), expected);
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(canonical(&Params::from_json(&value).unwrap()), expected);
    // A bare scalar is one field.
    assert_eq!(canonical_json(" 12.5"), "12.5$K");
    assert_eq!(canonical_json(r#""s""#), "s$K");
    assert_eq!(Params::from_json_str("true").unwrap().len(), 1);
    assert!(matches!(
        Params::from_json_str("nope"),
        Err(Error::MalformedInput { .. })
    ));
    assert!(matches!(
        Params::from_json_str("{nope"),
        Err(Error::MalformedInput { .. })
    ));
    assert!(matches!(
        Params::from_json_str("[nope"),
        Err(Error::MalformedInput { .. })
    ));
    // A list's objects keep their document order too: it decides between keys that differ
    // only in case (a reading through `serde_json::Value` would sort them, `B` before `b`).
    assert_eq!(canonical_json(r#"[{"b":"first","B":"last"}]"#), "last$K");
    assert_eq!(canonical_json(r#"[{"B":"first","b":"last"}]"#), "last$K");
}

#[test]
fn json_strings_and_nesting() {
    // Escapes are decoded; document order decides between case duplicates.
    assert_eq!(
        canonical_json(r#"{"a":"x\"y\u00e9","A":"last","b":"\\"}"#),
        "last$\\$K"
    );
    assert_eq!(canonical_json(r#"{"A":"first","a":"x"}"#), "x$K");
    assert_eq!(canonical_json(r#"{"a":"x\"y\u00e9"}"#), "x\"yé$K");
    assert_eq!(
        canonical_json(r#"{"c":{"b":"\n","a":-3,"z":null,"y":false}}"#),
        "-3$\n$$$K"
    );
    assert_eq!(canonical_json(r#"{"c":{}, "d":[]}"#), "K");
    for deep in [
        r#"{"a":{"b":{"c":1}}}"#,
        r#"{"a":[[1]]}"#,
        r#"{"a":{"b":[1]}}"#,
        r#"[[[1]]]"#,
    ] {
        assert!(
            matches!(Params::from_json_str(deep), Err(Error::TooDeeplyNested { key, .. }) if key == "a" || key == "0"),
            "{deep}"
        );
        let value: serde_json::Value = serde_json::from_str(deep).unwrap();
        assert!(
            matches!(
                Params::from_json(&value),
                Err(Error::TooDeeplyNested { .. })
            ),
            "{deep}"
        );
    }
}

#[test]
fn responses_need_an_object_with_a_string_signature_and_a_result() {
    let result = r#"{"Tid":"T1","Amount":"12.50"}"#;
    let params = Params::from_json_str(result).unwrap();
    let signature = easytransac::sign(&params, &key()).unwrap().into_string();
    let body = format!(r#" {{"Code":0,"Result":{result},"Signature":"{signature}"}}"#);
    assert!(easytransac::verify_response(&body, &key()).is_ok());
    let wrong = body.replace("12.50", "12.51");
    assert!(matches!(
        easytransac::verify_response(&wrong, &key()),
        Err(Error::SignatureMismatch)
    ));
    for (bad, missing) in [
        (format!(r#"{{"Result":{result}}}"#), "Signature"),
        (
            format!(r#"{{"Result":{result},"Signature":1}}"#),
            "Signature",
        ),
        (format!(r#"{{"Signature":"{signature}"}}"#), "Result"),
    ] {
        assert!(
            matches!(easytransac::verify_response(&bad, &key()), Err(Error::MissingField { name, .. }) if name == missing),
            "{bad}"
        );
    }
    for bad in ["[1]", "", "{", "null"] {
        assert!(
            matches!(
                easytransac::verify_response(bad, &key()),
                Err(Error::MalformedInput { .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn notifications_need_their_three_fields_first() {
    let fields = [("Tid", "T1"), ("Status", "captured"), ("Amount", "1.00")];
    let base = Params::from_form(&fields).unwrap();
    let signature = easytransac::sign(&base, &key()).unwrap().into_string();
    let signed = base.clone().with("Signature", signature.as_str());
    assert!(easytransac::verify_notification(&signed, &key()).is_ok());
    for name in ["Tid", "Status", "Signature"] {
        let without: Params =
            signed
                .iter()
                .filter(|(k, _)| *k != name)
                .fold(Params::new(), |mut p, (k, v)| {
                    p.push(k, v.clone());
                    p
                });
        assert!(
            matches!(easytransac::verify_notification(&without, &key()), Err(Error::MissingField { name: n, .. }) if n == name),
            "{name}"
        );
        let null = signed.clone().with(name, None::<&str>);
        assert!(matches!(
            easytransac::verify_notification(&null, &key()),
            Err(Error::MissingField { .. })
        ));
    }
    // An empty string is present; a non-string signature never matches.
    let empty = base.clone().with("Tid", "").with("Signature", "x");
    assert!(matches!(
        easytransac::verify_notification(&empty, &key()),
        Err(Error::SignatureMismatch)
    ));
    let number = base.with("Signature", 5);
    assert!(matches!(
        easytransac::verify_notification(&number, &key()),
        Err(Error::SignatureMismatch)
    ));
}

#[test]
fn long_and_overflowing_numeric_keys_compare_exactly() {
    // 16-digit integers: beyond a double's exact digits, still compared exactly as longs.
    assert_eq!(
        canonical_json(r#"{" 1234567890123457":"b","1234567890123456":"a"}"#),
        "a$b$K"
    );
    assert_eq!(
        canonical_json(r#"{" 1234567890123457":"b"," 1234567890123456":"a"}"#),
        "a$b$K"
    );
    // An integer string too large for a long sorts after (or, negative, before) every long.
    assert_eq!(
        canonical_json(r#"{"99999999999999999999":"big"," 5":"small"}"#),
        "small$big$K"
    );
    assert_eq!(
        canonical_json(r#"{" 5":"small","-99999999999999999999":"tiny"}"#),
        "tiny$small$K"
    );
    // All three numeric: the sort's own comparisons decide, and two doubles it never
    // compares (their comparison, which this signer treats as inexact, is not needed
    // to place them around 5) do not make the order ambiguous.
    assert_eq!(
        canonical_json(
            r#"{"99999999999999999999":"big","5":"five","-99999999999999999999":"tiny"}"#
        ),
        "tiny$five$big$K"
    );
}
