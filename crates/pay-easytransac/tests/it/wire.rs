//! The generated wire types (`pay_easytransac::wire`) against `fixtures/easytransac/examples/`.

use std::path::PathBuf;

use pay_core::wire::MinorUnits;
use pay_core::{
    ContentType, Currency as Iso, Envelope, Generation, OperationKind, PathConfidence, Redactor,
    RetryRules, Rule, Signing, ValidationError,
};
use pay_easytransac::wire::*;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/easytransac/examples")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// A valid server-to-server card payment of 12.50 in the account's currency.
fn card_payment() -> V1DirectPaymentRequest {
    V1DirectPaymentRequest::new(
        MinorUnits(1250),
        "4111111111111111".to_owned(),
        "09".to_owned(),
        "2031".to_owned(),
        "123".to_owned(),
        "203.0.113.7".to_owned(),
    )
}

#[track_caller]
fn assert_invalid(result: Result<(), ValidationError>, field: &str, rule: Rule) {
    let err = result.expect_err("validate() should refuse");
    assert_eq!(err.field(), field, "{err}");
    assert_eq!(err.rule(), &rule, "{err}");
}

// --- (a) Reading documented bodies. ---------------------------------------------------------

#[test]
fn v1_success_envelope() {
    let body: V1DoneTransactionResponse =
        serde_json::from_str(&fixture("v1_payment_direct_200.json")).unwrap();
    assert_eq!(body.code, 0);
    let result = body.result;
    assert_eq!(result.tid, "AB12CD34");
    assert_eq!(result.status, TransactionStatus::Captured);
    // V1 answers write amounts as decimal strings in major units.
    assert_eq!(
        result
            .amount
            .as_ref()
            .unwrap()
            .to_money(Iso::EUR)
            .unwrap()
            .minor_units(),
        2999
    );
    assert_eq!(result.fix_fees.as_ref().unwrap().as_str(), "0.25");
    // yes/no booleans, whatever their case.
    assert_eq!(result.three_d_secure, Some(YesNo::YES));
    assert_eq!(result.one_click, Some(YesNo::NO));
    assert!(
        matches!(result.request_attempt, Some(DoneTransactionRequestAttempt::Text(ref n)) if n == "2")
    );
    assert!(
        matches!(result.additional_error, Some(DoneTransactionAdditionalError::List(ref e)) if e.len() == 2)
    );
    assert_eq!(
        result.client.unwrap().email.as_deref(),
        Some("buyer@example.org")
    );
}

#[test]
fn v1_error_envelope() {
    let body: V1ErrorEnvelope = serde_json::from_str(&fixture("v1_error.json")).unwrap();
    assert_eq!(body.code, V1ApiErrorCode::WrongSignature);
    assert!(!body.code.is_retryable());
    assert!(V1ApiErrorCode::from(9).is_retryable());
    let unknown: V1ErrorEnvelope = serde_json::from_str(r#"{"Code":"250","Error":"?"}"#).unwrap();
    assert_eq!(unknown.code, V1ApiErrorCode::Unknown(250));
    assert_eq!(serde_json::to_string(&unknown.code).unwrap(), "250");
}

#[test]
fn v1_notification_read_as_json() {
    let note: V1Notification = serde_json::from_str(&fixture("v1_push_notification.json")).unwrap();
    assert_eq!(
        note.amount
            .as_ref()
            .unwrap()
            .to_money(Iso::EUR)
            .unwrap()
            .minor_units(),
        12000
    );
    assert_eq!(
        note.amount_refund
            .as_ref()
            .unwrap()
            .to_money(Iso::EUR)
            .unwrap()
            .minor_units(),
        2050
    );
    assert!(
        matches!(note.additional_error, Some(V1NotificationAdditionalError::Text(ref e)) if e == "bank refused")
    );
    assert!(matches!(
        note.request_attempt,
        Some(V1NotificationRequestAttempt::Integer(3))
    ));
    assert!(
        matches!(note.multiple_payments_repeat, Some(V1NotificationMultiplePaymentsRepeat::Text(ref n)) if n == "4")
    );
    assert_eq!(note.three_d_secure, Some(YesNo::NO));
}

#[test]
fn v2_envelope_with_nulls_and_minor_units() {
    let body: V2TransactionDataResponse =
        serde_json::from_str(&fixture("v2_transaction_status_200.json")).unwrap();
    assert!(body.success);
    assert_eq!(body.data.amount, MinorUnits(1250));
    assert_eq!(body.data.order_id, None, "JSON null reads as absent");
    assert_eq!(
        body.data.redirect_url.as_deref(),
        Some("https://pay.example.org/return/42")
    );
}

#[test]
fn operation_table_matches_the_description() {
    assert_eq!(OPERATIONS.len(), 38);
    let v1 = OPERATIONS
        .iter()
        .filter(|op| op.generation == Some(Generation::V1))
        .count();
    let v2 = OPERATIONS
        .iter()
        .filter(|op| op.generation == Some(Generation::V2))
        .count();
    assert_eq!(
        (v1, v2),
        (32, 6),
        "30 V1 calls and 2 V1 webhooks, 6 V2 calls"
    );
    let direct = operation("v1_payment_direct").unwrap();
    assert_eq!(direct.content_types, [ContentType::Form]);
    assert_eq!(direct.signed, Some(Signing::EasytransacV1));
    assert_eq!(direct.envelope, Some(Envelope::EasytransacV1));
    assert!(!direct.idempotent);
    let ibans = operation("v1_payment_iban_list").unwrap();
    assert_eq!(ibans.path_confidence, Some(PathConfidence::Placeholder));
    let debit = operation("v2_sdd_mandate_debit").unwrap();
    assert_eq!(debit.path_params, ["mandateId"]);
    assert_eq!(debit.auth, [&["BearerJwt"][..]]);
    let push = operation("v1_push_notification").unwrap();
    assert_eq!(push.content_types, [ContentType::Form, ContentType::Json]);
    assert_eq!(push.kind, OperationKind::Webhook);
}

// --- (b) Unknown values and fields. ---------------------------------------------------------

#[test]
fn unknown_values_round_trip_and_unknown_fields_are_tolerated() {
    // The notification has a status the description does not list and fields it does not
    // know (one of them inside `Client`).
    let note: V1Notification = serde_json::from_str(&fixture("v1_push_notification.json")).unwrap();
    assert_eq!(
        note.status,
        TransactionStatus::Unknown("chargeback_pending".to_owned())
    );
    let json = serde_json::to_string(&note).unwrap();
    assert!(json.contains(r#""Status":"chargeback_pending""#), "{json}");
    assert!(
        json.contains(r#""Amount":"120""#),
        "amount text kept: {json}"
    );

    let body: V2TransactionDataResponse =
        serde_json::from_str(&fixture("v2_transaction_status_200.json")).unwrap();
    assert_eq!(
        body.data.status,
        V2TransactionStatus::Unknown("settled".to_owned())
    );
    let json = serde_json::to_string(&body.data.status).unwrap();
    assert_eq!(json, r#""settled""#);
}

#[test]
fn yes_no_is_strict_about_its_vocabulary() {
    assert_eq!(
        serde_json::from_str::<YesNo>(r#""YES""#).unwrap(),
        YesNo::YES
    );
    assert!(serde_json::from_str::<YesNo>(r#""1""#).is_err());
    assert_eq!(serde_json::to_string(&YesNo::NO).unwrap(), r#""no""#);
}

// --- (c) Validation. ------------------------------------------------------------------------

#[test]
fn a_valid_request_passes() {
    assert_eq!(card_payment().validate(), Ok(()));
}

#[test]
fn lengths_and_minor_unit_minimums() {
    let mut capture = V1CaptureRequest::new("AB12CD34E".to_owned());
    assert_invalid(
        capture.validate(),
        "Tid",
        Rule::MaxLength { max: 8, actual: 9 },
    );
    capture.tid = "AB12CD34".to_owned();
    capture.amount = Some(MinorUnits(0));
    assert_invalid(
        capture.validate(),
        "Amount",
        // The application's currency is not in the request: the bound is in its minor
        // units, whatever their size (JPY has none below the yen, BHD three places).
        Rule::Minimum {
            min: "1 minor unit of the account's currency".to_owned(),
            inclusive: true,
        },
    );
    capture.amount = Some(MinorUnits(1));
    assert_eq!(capture.validate(), Ok(()));
}

#[test]
fn patterns_ranges_and_dates() {
    let mut request = card_payment();
    request.card_month = "13".to_owned();
    assert_invalid(
        request.validate(),
        "CardMonth",
        Rule::Format {
            expected: "text matching ^(0[1-9]|1[0-2])$",
        },
    );
    let mut request = card_payment();
    request.card_cvv = "12".to_owned();
    assert_eq!(request.validate().unwrap_err().field(), "CardCVV");
    let mut request = card_payment();
    request.pre_auth_duration = Some(7);
    assert_invalid(
        request.validate(),
        "PreAuthDuration",
        Rule::Range { min: 1, max: 6 },
    );
    let mut request = card_payment();
    request.birth_date = Some("01/02/1990".to_owned());
    assert_invalid(
        request.validate(),
        "BirthDate",
        Rule::Format {
            expected: "a date YYYY-MM-DD",
        },
    );
    let mut request = card_payment();
    request.language = Some(Language::from("POR"));
    assert_invalid(
        request.validate(),
        "Language",
        Rule::OneOf {
            allowed: Language::VALUES,
        },
    );
}

#[test]
fn require_any_of() {
    let mut status = V1StatusRequest::default();
    assert_invalid(
        status.validate(),
        "Tid",
        Rule::Other("is required unless one of RequestId, OrderId is given".into()),
    );
    status.order_id = Some("order-8812".to_owned());
    assert_eq!(status.validate(), Ok(()));

    let mut query = V2TransactionStatusQuery::default();
    assert_eq!(query.validate().unwrap_err().field(), "tid");
    query.tid = Some("ABC".to_owned());
    assert_invalid(
        query.validate(),
        "tid",
        Rule::MinLength { min: 8, actual: 3 },
    );
}

#[test]
fn not_enforced_patterns_are_skipped() {
    let mut request = V2OpenBankingInitRequest::new(
        MinorUnits(5000),
        "ana@example.org".to_owned(),
        "https://shop.example.org/back".to_owned(),
    );
    request.address = Some("12 rue de la Paix".to_owned());
    request.city = Some("Le Mans".to_owned());
    assert_eq!(request.validate(), Ok(()), "x-not-enforced: pattern");
    request.zip_code = Some("72 000".to_owned());
    assert_eq!(
        request.validate().unwrap_err().field(),
        "zipCode",
        "other patterns still apply"
    );
    request.zip_code = None;
    request.address = Some("x".repeat(129));
    assert_invalid(
        request.validate(),
        "address",
        Rule::MaxLength {
            max: 128,
            actual: 129,
        },
    );
}

#[test]
fn formats_on_request_fields() {
    // `format: email` (V1 form field and V2 JSON field), with `pay_core::Email`'s rules.
    let mut request = card_payment();
    request.email = Some("ana@".to_owned());
    assert_invalid(
        request.validate(),
        "Email",
        Rule::Format {
            expected: "an email address such as name@example.com",
        },
    );
    let mut init = V2OpenBankingInitRequest::new(
        MinorUnits(5000),
        "ana@example".to_owned(),
        "https://shop.example.org/back".to_owned(),
    );
    assert_invalid(
        init.validate(),
        "email",
        Rule::Format {
            expected: "an email address such as name@example.com",
        },
    );
    init.email = "ana@example.org".to_owned();
    // `format: uri`: plain http is allowed (HTTPS is required of the API, not of return URLs).
    init.return_url = "http://shop.example.org/back".to_owned();
    assert_eq!(init.validate(), Ok(()));
    init.return_url = "shop.example.org/back".to_owned();
    assert_invalid(
        init.validate(),
        "returnUrl",
        Rule::Format {
            expected: "an absolute http:// or https:// URL without spaces",
        },
    );

    let mut request = card_payment();
    request.return_url = Some("javascript:alert(1)".to_owned());
    assert_invalid(
        request.validate(),
        "ReturnUrl",
        Rule::Format {
            expected: "an absolute http:// or https:// URL without spaces",
        },
    );

    // `format: date`: the shape passes `x-time-format: date`, the calendar does not.
    let mut request = card_payment();
    request.birth_date = Some("1990-02-30".to_owned());
    assert_invalid(
        request.validate(),
        "BirthDate",
        Rule::Format {
            expected: "a calendar date YYYY-MM-DD",
        },
    );
    request.birth_date = Some("1992-02-29".to_owned());
    assert_eq!(request.validate(), Ok(()));
}

#[test]
fn path_parameters() {
    let valid = "a1b2c3d4e5f6g7h8i9j0";
    assert_eq!(
        validate_path("v2_sdd_mandate_debit", &[("mandateId", valid)]),
        Ok(())
    );
    assert_invalid(
        validate_path(
            "v2_sdd_mandate_status",
            &[("mandateId", "A1B2C3D4E5F6G7H8I9J0")],
        ),
        "mandateId",
        Rule::Format {
            expected: "text matching ^[a-z0-9]{20}$",
        },
    );
    assert_invalid(
        validate_path("v2_sdd_mandate_debit", &[("mandateId", &valid[1..])]),
        "mandateId",
        Rule::MinLength {
            min: 20,
            actual: 19,
        },
    );
    assert_invalid(
        validate_path::<&str>("v2_sdd_mandate_debit", &[]),
        "mandateId",
        Rule::Required,
    );
    assert_eq!(validate_path::<&str>("v1_payment_direct", &[]), Ok(()));
}

// --- (d) Exact bytes out. -------------------------------------------------------------------

#[test]
fn requests_serialise_to_exact_json() {
    let mut debit = V2MandateDebitRequest::new(MinorUnits(1250));
    debit.order_id = Some("order-1".to_owned());
    debit.rebill = Some(false);
    assert_eq!(
        serde_json::to_string(&debit).unwrap(),
        r#"{"amount":1250,"orderId":"order-1","rebill":false}"#
    );
    let mut card = card_payment();
    card.three_ds = Some(YesNo::YES);
    let json = serde_json::to_string(&card).unwrap();
    assert!(json.starts_with(r#"{"Amount":1250,"CardNumber":"4111111111111111","CardMonth":"09","CardYear":"2031","CardCVV":"123","3DS":"yes","#), "{json}");
    let debug = format!("{card:?}");
    assert!(
        !debug.contains("4111111111111111") && !debug.contains("\"123\""),
        "{debug}"
    );
}

// --- (e) Rules from the description: redaction keys and retry rules. ------------------------

/// Every field the description marks `x-sensitive` is a redaction key, including the two the
/// default redactor misses: a saved card's `Alias` (it charges the card again) and a KYC
/// document's `Content`.
#[test]
fn sensitive_fields_are_redacted() {
    for name in [
        "Alias",
        "CardCVV",
        "CardNumber",
        "Content",
        "Iban",
        "Password",
        "Signature",
        "apiKey",
        "iban",
        "token",
    ] {
        assert!(SENSITIVE_FIELDS.contains(&name), "{name}");
    }
    assert!(
        SENSITIVE_FIELDS.windows(2).all(|pair| pair[0] < pair[1]),
        "sorted, each once: {SENSITIVE_FIELDS:?}"
    );

    let form = "Amount=1250&Alias=c4rdAl1as77&Client%5BId%5D=42&Content=UGFzc3BvcnQ%3D&\
                Signature=0a1b2c3d4e5f60718293a4b5c6d7e8f901234567&Version=sdk";
    let json = r#"{"Code":0,"Result":{"Tid":"ABC12","Alias":"c4rdAl1as77","CardNumber":"************0025","Document":{"Type":"IDENTITY_PROOF","Content":"UGFzc3BvcnQ="}}}"#;
    // The default keys alone let the document through (pay-core's defaults cover the
    // alias since the review fixes).
    let default = Redactor::default();
    assert!(default.json(json).as_str().contains("UGFzc3BvcnQ="));

    let redactor = SENSITIVE_FIELDS
        .iter()
        .fold(Redactor::default(), |redactor, key| redactor.with_key(key));
    let form = redactor.form(form);
    let json = redactor.json(json);
    for secret in ["c4rdAl1as77", "UGFzc3BvcnQ", "0a1b2c3d4e5f", "0025"] {
        assert!(!form.as_str().contains(secret), "{secret} in {form}");
        assert!(!json.as_str().contains(secret), "{secret} in {json}");
    }
    assert_eq!(
        form.as_str(),
        "Amount=1250&Alias=[REDACTED]&Client%5BId%5D=42&Content=[REDACTED]&\
         Signature=[REDACTED]&Version=sdk"
    );
    assert!(json.as_str().contains(r#""Tid":"ABC12""#), "{json}");
}

/// The description documents no HTTP retry rules (errors travel as ApiError codes, the
/// transient ones marked `retryable`), so the generic rules apply.
#[test]
fn retry_rules_are_the_generic_ones() {
    assert_eq!(RETRY_RULES, RetryRules::GENERIC);
    let retryable: Vec<i64> = V1ApiErrorCode::VALUES
        .iter()
        .map(|code| V1ApiErrorCode::from(*code))
        .filter(|code| code.is_retryable())
        .map(V1ApiErrorCode::code)
        .collect();
    assert_eq!(retryable, [9, 10]);
}
