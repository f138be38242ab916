//! Easypay's decoders without the network: notifications (generic, authorisation,
//! transaction) before authentication (random bytes and headers) and after it (the right
//! Basic credentials or secret header with arbitrary bodies), `EasypayHooks` reading
//! arbitrary answers, and every generated wire type read from arbitrary JSON (request
//! types then `validate()`d).

use std::time::SystemTime;

use pay_core::{ErrorKind, RawWebhook, WebhookRejection, Webhooks};
use pay_easypay::{AccountId, ApiKey, EasypayClient, EasypayHooks, NotificationAuth, wire};
use pay_http::header::{HeaderMap, HeaderName, HeaderValue};
use pay_http::{Answer, Hooks};
use proptest::prelude::*;

use crate::easytransac::headers;
use crate::support::{Tally, assert_reached, body, fixtures, fuzz, member_names};

/// `Basic base64("hooks:s3cret")`.
const BASIC: &str = "Basic aG9va3M6czNjcmV0";

fn client(auth: NotificationAuth) -> EasypayClient {
    EasypayClient::builder(AccountId::new("acct"), ApiKey::new("key"))
        .notification_auth(auth)
        .build()
        .expect("a client")
}

fn basic_client() -> EasypayClient {
    client(NotificationAuth::basic("hooks", "s3cret"))
}

fn notification_bodies() -> impl Strategy<Value = Vec<u8>> {
    let mut seeds = fixtures("easypay/examples", "doc_webhook");
    seeds.extend(fixtures("easypay/examples", "generic_notification"));
    seeds.extend(fixtures("easypay/examples", "transaction_notification"));
    let names = member_names(&seeds);
    body(seeds, names)
}

fn rejection(e: &pay_core::PayError) -> Result<WebhookRejection, TestCaseError> {
    match e.kind() {
        ErrorKind::WebhookRejected { reason } => Ok(*reason),
        other => Err(TestCaseError::fail(format!(
            "not a typed rejection: {other:?}"
        ))),
    }
}

fn parse(client: &EasypayClient, raw: &RawWebhook, tally: &Tally) -> Result<(), TestCaseError> {
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
    Ok(())
}

#[test]
fn easypay_notifications_before_authentication() {
    let client = basic_client();
    let authorization = prop_oneof![
        Just(None),
        Just(Some(BASIC.to_owned())),
        Just(Some("Basic aG9va3M6czNjcmV1".to_owned())),
        "Basic [A-Za-z0-9+/=]{0,30}".prop_map(Some),
        any::<String>().prop_map(Some),
    ];
    fuzz(
        "easypay notification, unauthenticated (verify → parse)",
        (headers(), authorization, notification_bodies()),
        |(mut headers, authorization, bytes), tally| {
            if let Some(value) = authorization {
                headers.push(("Authorization".to_owned(), value));
            }
            parse(
                &client,
                &RawWebhook::new(headers, bytes, SystemTime::UNIX_EPOCH),
                tally,
            )
        },
    );
}

#[test]
fn easypay_notifications_with_the_right_credentials() {
    let basic = basic_client();
    let header = client(NotificationAuth::header("X-Hook-Secret", "hunter2"));
    let tally = fuzz(
        "easypay notification, authenticated (verify → parse)",
        (notification_bodies(), any::<bool>()),
        |(bytes, use_basic), tally| {
            let (client, headers) = if use_basic {
                (&basic, vec![("authorization".to_owned(), BASIC.to_owned())])
            } else {
                (
                    &header,
                    vec![("x-hook-secret".to_owned(), "hunter2".to_owned())],
                )
            };
            let raw = RawWebhook::new(headers, bytes, SystemTime::UNIX_EPOCH);
            prop_assert!(client.verify(&raw).is_ok(), "right credentials refused");
            parse(client, &raw, tally)
        },
    );
    assert_reached(&tally, "parsed");
}

fn answer_bodies() -> impl Strategy<Value = Vec<u8>> {
    let seeds = fixtures("easypay/examples", "");
    let names = member_names(&seeds);
    body(seeds, names)
}

#[test]
fn easypay_hooks_read_arbitrary_answers() {
    let hooks = EasypayHooks::new(AccountId::new("acct"), ApiKey::new("key"));
    let status = prop_oneof![
        3 => prop::sample::select(&[200u16, 201, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503][..]),
        1 => 100u16..1000,
    ];
    let header = prop_oneof![
        Just(None),
        prop::sample::select(&["true", "false", "TRUE", "", "1", "maybe"][..]).prop_map(Some),
    ];
    let tally = fuzz(
        "EasypayHooks (classify, decode_error)",
        (
            status,
            header,
            // One body in four an unmutated error answer, so that a fair share has an
            // error to read whatever the seed.
            prop_oneof![
                3 => answer_bodies(),
                1 => prop::sample::select(fixtures("easypay/examples", "error_")),
            ],
            any::<Option<bool>>(),
            any::<prop::sample::Index>(),
        ),
        |(status, retry, bytes, advice, operation), tally| {
            let mut headers = HeaderMap::new();
            if let Some(retry) = retry {
                headers.insert(
                    HeaderName::from_static("x-easypay-should-retry"),
                    HeaderValue::from_static(retry),
                );
            }
            let operation = &wire::OPERATIONS[operation.index(wire::OPERATIONS.len())];
            let answer = Answer::new(status, &headers, &bytes, advice);
            let _ = hooks.classify(operation, &answer);
            let details = hooks.decode_error(operation, &answer);
            if details.message.is_some() || details.code.is_some() {
                tally.hit("error read");
            }
            Ok(())
        },
    );
    assert_reached(&tally, "error read");
}

macro_rules! decode_as {
    ($bytes:expr, $tally:expr; $($ty:ident),* $(,)?) => {
        $(
            if serde_json::from_slice::<wire::$ty>($bytes).is_ok() {
                $tally.hit("decoded");
            }
        )*
    };
}

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
fn easypay_wire_types_from_arbitrary_json() {
    let tally = fuzz(
        "easypay wire types (every generated type)",
        answer_bodies(),
        |bytes, tally| {
            decode_as!(&bytes, tally;
                IdRef, Customer, SddMandate, Split, MbwaySdk, PaymentMethodDetails,
                TransactionValues, TransactionValuesLenient, Error, Ack, PageMeta, SinglePayment,
                SingleList, SingleCreated, SingleUpdated, FrequentPayment, FrequentList,
                FrequentCreated, Subscription, SubscriptionList, SubscriptionCreated,
                CaptureCreated, Capture, CaptureList, Authorisation, Void, Refund, RefundList,
                ChargebackList, TransactionReportRow, TransactionReport, LedgerReport,
                OutPaymentCreated, OutPaymentTransaction, OutPayment, OutPaymentList, Config,
                CheckoutCreated, CheckoutDetails, GenericNotification, AuthorisationNotification,
                TransactionNotification, NotificationReply, PageMetaPage, PageMetaRecords,
                PageMetaLinks, SingleCreatedCapture, CaptureCreatedMethod,
                OutPaymentCreatedMethod, CheckoutDetailsCheckout, CheckoutDetailsPayment,
                TransactionNotificationTransaction,
            );
            decode_and_validate!(&bytes, tally;
                AccountRef, CaptureInput, CaptureListQuery, CaptureRequest, CaptureSplitInput,
                CaptureSplitUpdateRequest, ChargebackListQuery, CheckoutCaptureInput,
                CheckoutCreateRequest, CheckoutCustomerInput, CheckoutOrderInput,
                CheckoutOrderItem, CheckoutPaymentInput, ConfigUpdateRequest, CustomerInput,
                FrequentAuthorisationRequest, FrequentCreateRequest, FrequentListQuery,
                FrequentUpdateRequest, MbwaySdk, OutAccountInput, OutPaymentCreateRequest,
                OutPaymentListQuery, RefundListQuery, RefundRequest, ReportLedgerQuery,
                ReportTransactionsQuery, SddMandateInput, SingleCreateRequest, SingleListQuery,
                SingleUpdateRequest, SplitInput, SubscriptionCaptureInput,
                SubscriptionCreateRequest, SubscriptionListQuery, SubscriptionUpdateRequest,
                VoidRequest,
            );
            Ok(())
        },
    );
    assert_reached(&tally, "decoded");
}
