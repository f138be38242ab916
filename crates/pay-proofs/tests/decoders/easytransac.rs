//! Easytransac's decoders without the network: PUSH notifications (form and JSON) before
//! verification (random bytes and headers) and after it (arbitrary fields signed with the
//! API key, so `parse` runs on arbitrary content), returns to `ReturnUrl`, and every
//! generated wire type read from arbitrary JSON (request types then `validate()`d, as
//! the fake server reads requests).

use std::time::SystemTime;

use pay_core::{ErrorKind, RawWebhook, WebhookRejection, Webhooks};
use pay_easytransac::{EasytransacClient, notification_extra_fields, parse_notification, wire};
use pay_signing::easytransac::{Params, sign};
use proptest::prelude::*;

use crate::signing::{api_key, form_name, form_pairs};
use crate::support::{
    Tally, assert_reached, body, fixtures, fuzz, json_text, member_names, number_text, text,
};

fn client() -> EasytransacClient {
    EasytransacClient::builder(api_key())
        .build()
        .expect("a client")
}

/// Header lists: a content type (form, JSON, other, none) and arbitrary others.
pub(crate) fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let content_type = prop_oneof![
        Just(Some("application/x-www-form-urlencoded".to_owned())),
        Just(Some("application/json; charset=utf-8".to_owned())),
        Just(Some("text/plain".to_owned())),
        Just(None),
        any::<String>().prop_map(Some),
    ];
    (
        content_type,
        prop::collection::vec(("[A-Za-z-]{1,16}|\\PC{0,10}", any::<String>()), 0..3),
    )
        .prop_map(|(ct, mut others)| {
            if let Some(ct) = ct {
                others.insert(0, ("Content-Type".to_owned(), ct));
            }
            others
        })
}

fn raw(headers: Vec<(String, String)>, body: Vec<u8>) -> RawWebhook {
    RawWebhook::new(headers, body, SystemTime::UNIX_EPOCH)
}

fn rejection(e: &pay_core::PayError) -> Result<WebhookRejection, TestCaseError> {
    match e.kind() {
        ErrorKind::WebhookRejected { reason } => Ok(*reason),
        other => Err(TestCaseError::fail(format!(
            "not a typed rejection: {other:?}"
        ))),
    }
}

/// Verifies, then (when verified) parses `raw` every public way, checking that every
/// failure is a typed rejection.
fn verify_and_parse(
    client: &EasytransacClient,
    raw: &RawWebhook,
    tally: &Tally,
) -> Result<(), TestCaseError> {
    let verified = match client.verify(raw) {
        Ok(v) => v,
        Err(e) => {
            rejection(&e)?;
            return Ok(());
        }
    };
    tally.hit("verified");
    match client.parse(&verified) {
        Ok(event) => {
            tally.hit("parsed");
            prop_assert!(!event.id.as_str().is_empty());
        }
        Err(e) => prop_assert_eq!(rejection(&e)?, WebhookRejection::Malformed),
    }
    if let Ok(n) = parse_notification(&verified) {
        let _ = client.event_of(&n);
    }
    if let Err(e) = notification_extra_fields(&verified) {
        rejection(&e)?;
    }
    Ok(())
}

fn notification_seeds() -> (Vec<Vec<u8>>, Vec<String>) {
    let mut seeds = fixtures("easytransac/examples", "v1_push");
    seeds.push(
        b"Tid=ET000001&Status=captured&Amount=18.00&OrderId=o-1&Client%5BId%5D=c&Signature=0123"
            .to_vec(),
    );
    let mut names = member_names(&seeds);
    names.extend(field_names_of_notification());
    (seeds, names)
}

fn field_names_of_notification() -> Vec<String> {
    pay_easytransac::field_names::<wire::V1Notification>()
        .iter()
        .map(|n| (*n).to_owned())
        .collect()
}

#[test]
fn easytransac_notifications_before_verification() {
    let client = client();
    let (seeds, names) = notification_seeds();
    fuzz(
        "easytransac notification, unverified (verify → parse)",
        (headers(), body(seeds, names)),
        |(headers, bytes), tally| verify_and_parse(&client, &raw(headers, bytes), tally),
    );
}

/// A form body of `pairs` with a correct `Signature`, when the fields can be signed.
pub(crate) fn signed_form(pairs: Vec<(String, String)>) -> (Vec<u8>, bool) {
    let params = Params::from_form(&pairs);
    let signature = params.ok().and_then(|p| sign(&p, &api_key()).ok());
    let mut pairs = pairs;
    let signed = signature.is_some();
    if let Some(signature) = signature {
        pairs.push(("Signature".to_owned(), signature.into_string()));
    }
    let body = pay_testkit::form::encode(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    (body.into_bytes(), signed)
}

#[test]
fn easytransac_form_notifications_signed_with_arbitrary_fields() {
    let client = client();
    let content_type = prop_oneof![
        Just(vec![(
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned()
        )]),
        Just(Vec::new()),
    ];
    let tally = fuzz(
        "easytransac form notification, signed (verify → parse)",
        (form_pairs(), content_type),
        |(pairs, headers), tally| {
            let (body, signed) = signed_form(pairs);
            if signed {
                tally.hit("signed");
            }
            verify_and_parse(&client, &raw(headers, body), tally)
        },
    );
    assert_reached(&tally, "parsed");
}

/// A JSON member value: a number, a string, a literal, or one level of nesting.
fn json_value() -> impl Strategy<Value = String> {
    let scalar = prop_oneof![
        2 => number_text(),
        4 => text().prop_map(|s| serde_json::to_string(&s).unwrap_or_default()),
        1 => prop::sample::select(&["true", "false", "null"][..]).prop_map(str::to_owned),
    ];
    prop_oneof![
        6 => scalar.clone(),
        1 => prop::collection::vec(("[A-Za-z]{0,6}", scalar.clone()), 0..4).prop_map(|m| {
            let members: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}:{v}", serde_json::to_string(k).unwrap_or_default()))
                .collect();
            format!("{{{}}}", members.join(","))
        }),
        1 => prop::collection::vec(scalar, 0..4).prop_map(|items| format!("[{}]", items.join(","))),
    ]
}

/// A JSON object body of `members` with a correct `Signature` when it can be signed.
pub(crate) fn signed_json(members: Vec<(String, String)>) -> (Vec<u8>, bool) {
    let text = |members: &[(String, String)]| {
        let inner: Vec<String> = members
            .iter()
            .map(|(k, v)| format!("{}:{v}", serde_json::to_string(k).unwrap_or_default()))
            .collect();
        format!("{{{}}}", inner.join(","))
    };
    let unsigned = text(&members);
    let signature = Params::from_json_str(&unsigned)
        .ok()
        .and_then(|p| sign(&p, &api_key()).ok());
    match signature {
        Some(signature) => {
            let mut members = members;
            members.push((
                "Signature".to_owned(),
                format!("\"{}\"", signature.as_str()),
            ));
            (text(&members).into_bytes(), true)
        }
        None => (unsigned.into_bytes(), false),
    }
}

pub(crate) fn json_members() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![4 => form_name(), 1 => "[A-Za-z0-9]{0,10}"];
    // `Tid` and `Status` are often of a usable shape, so that a fair share of the bodies
    // gets past verification into parsing (arbitrary values alone parse in about 2 % of
    // cases, too close to `assert_reached`'s floor for small or reseeded runs).
    let tid = prop_oneof![
        1 => "[A-Z0-9]{1,12}".prop_map(|t| format!("\"{t}\"")),
        1 => json_value(),
    ];
    let status = prop_oneof![
        1 => prop::sample::select(&["\"captured\"", "\"pending\"", "\"failed\"", "\"refunded\""][..])
            .prop_map(str::to_owned),
        1 => json_value(),
    ];
    (
        prop::collection::vec((name, json_value()), 0..14),
        prop::bool::weighted(0.8),
        tid,
        status,
    )
        .prop_map(|(mut members, required, tid, status)| {
            if required {
                members.insert(0, ("Tid".to_owned(), tid));
                members.push(("Status".to_owned(), status));
            }
            members
        })
}

#[test]
fn easytransac_json_notifications_signed_with_arbitrary_fields() {
    let client = client();
    let content_type = prop_oneof![
        Just(vec![(
            "Content-Type".to_owned(),
            "application/json".to_owned()
        )]),
        Just(Vec::new()),
    ];
    let tally = fuzz(
        "easytransac JSON notification, signed (verify → parse)",
        (json_members(), content_type),
        |(members, headers), tally| {
            let (body, signed) = signed_json(members);
            if signed {
                tally.hit("signed");
            }
            verify_and_parse(&client, &raw(headers, body), tally)
        },
    );
    assert_reached(&tally, "parsed");
}

#[test]
fn easytransac_returns_to_return_url() {
    let client = client();
    let (seeds, names) = notification_seeds();
    let input = prop_oneof![
        2 => form_pairs().prop_map(|p| (signed_form(p).0, "application/x-www-form-urlencoded")),
        2 => json_members().prop_map(|m| (signed_json(m).0, "application/json")),
        1 => body(seeds, names).prop_map(|b| (b, "application/x-www-form-urlencoded")),
    ];
    let tally = fuzz(
        "easytransac ReturnUrl return (verify_return)",
        input,
        |(bytes, content_type), tally| {
            let raw = raw(
                vec![("Content-Type".to_owned(), content_type.to_owned())],
                bytes,
            );
            match client.verify_return(&raw) {
                Ok(n) => {
                    tally.hit("returned");
                    let _ = client.event_of(&n);
                }
                Err(e) => {
                    rejection(&e)?;
                }
            }
            Ok(())
        },
    );
    assert_reached(&tally, "returned");
}

/// Decodes `bytes` as each type, counting successes.
macro_rules! decode_as {
    ($bytes:expr, $tally:expr; $($ty:ident),* $(,)?) => {
        $(
            if serde_json::from_slice::<wire::$ty>($bytes).is_ok() {
                $tally.hit("decoded");
            }
        )*
    };
}

/// Decodes `bytes` as each request type, then validates what was read.
macro_rules! decode_and_validate {
    ($bytes:expr, $tally:expr; $($ty:ident),* $(,)?) => {
        $(
            if let Ok(value) = serde_json::from_slice::<wire::$ty>($bytes) {
                $tally.hit("decoded");
                if value.validate().is_ok() {
                    $tally.hit("valid");
                }
            }
        )*
    };
}

#[test]
fn easytransac_wire_types_from_arbitrary_json() {
    let seeds = fixtures("easytransac/examples", "");
    let mut names = member_names(&seeds);
    names.extend(field_names_of_notification());
    names.extend(
        pay_easytransac::field_names::<wire::DoneTransaction>()
            .iter()
            .map(|n| (*n).to_owned()),
    );
    names.sort();
    names.dedup();
    let input = prop_oneof![
        3 => body(seeds, names.clone()),
        // A success envelope around structured `Result` or `data` content.
        2 => json_text(names.clone()).prop_map(|r| format!(r#"{{"Code":0,"Signature":"0","Result":{r}}}"#).into_bytes()),
        2 => json_text(names).prop_map(|d| format!(r#"{{"success":true,"date":"2025-01-01T00:00:00+00:00","data":{d}}}"#).into_bytes()),
    ];
    let tally = fuzz(
        "easytransac wire types (every generated type)",
        input,
        |bytes, tally| {
            decode_as!(&bytes, tally;
                V1Client, DoneTransaction, V1PaymentPageInfos, V1PaymentPageCancellationInfos,
                V1P2PTransferResult, V1CancellationResult, V1CreditCard, V1CreditCardInfo,
                V1PaymentHistoryItem, V1PaymentRequestItem, V1User, V1UserAck, V1PayoutItem,
                V1Document, V1ErrorEnvelope, V2AuthData, V2TransactionData, V2DebitData,
                V2MandateData, V2MandateStatusData, V2Error, V1Notification,
                V1DoneTransactionResponse, V1PaymentPageInfosResponse,
                V1PaymentPageCancellationInfosResponse, V1P2PTransferResultResponse,
                V1OpaqueResultResponse, V1CancellationResultResponse, V1CardListResultResponse,
                V1PaymentHistoryResultResponse, V1PaymentRequestsResultResponse,
                V1CreditCardInfoResponse, V1UserAckResponse, V1UserResponse,
                V1OperationsResultResponse, V1PayoutsResultResponse, V1DocumentResponse,
                V1DocumentListResultResponse, V2AuthDataResponse, V2TransactionDataResponse,
                V2MandateDataResponse, V2DebitDataResponse, V2MandateStatusDataResponse,
            );
            decode_and_validate!(&bytes, tally;
                V1DirectPaymentRequest, V1OneClickPaymentRequest, V1SddInitRequest,
                V1PayByBankRequest, V1PaymentPageRequest, V1PaymentPageRefRequest,
                V1P2PTransferRequest, V1RebillUpdateRequest, V1StatusRequest, V1RefundRequest,
                V1CaptureRequest, V1CancelRequest, V1CardListRequest, V1IbanListRequest,
                V1HistoryRequest, V1PaymentRequestsRequest, V1CardInfoRequest, V1UserAddRequest,
                V1UserUpdateRequest, V1UserFindRequest, V1OperationsListRequest, V1PayoutRequest,
                V1PayoutsListRequest, V1LogoAddRequest, V1ActivityGetRequest,
                V1ActivityUpdateRequest, V1KycAddRequest, V1KycGetRequest, V1KycFindRequest,
                V2AuthRequest, V2OpenBankingInitRequest, V2MandateDebitRequest,
                V2MandateCreateRequest, V2TransactionStatusQuery,
            );
            // A decoded notification goes on to the neutral event, as `parse` would take it.
            if let Ok(n) = serde_json::from_slice::<wire::V1Notification>(&bytes) {
                tally.hit("notification");
                let _ = client_for_events().event_of(&n);
            }
            Ok(())
        },
    );
    assert_reached(&tally, "decoded");
}

fn client_for_events() -> &'static EasytransacClient {
    static CLIENT: std::sync::OnceLock<EasytransacClient> = std::sync::OnceLock::new();
    CLIENT.get_or_init(client)
}
