//! The bad-input suite (issue 13, item 3): invalid inputs across both providers
//! (amounts, currencies, IBANs, cards, phones, lengths, patterns, instalment rules,
//! timestamps and report intervals, ids of the wrong kind, missing customer data), each
//! refused as `ErrorKind::InvalidRequest` naming the expected field and rule. Those sent
//! through a client (the neutral traits, or the typed provider clients) must leave the
//! fake's request log empty: nothing was sent. Those refused when the value is built
//! (`Money::parse_major`, `Iban::parse`…) are counted apart.

// The summary table (input, field, rule) is printed on purpose: it is the suite's report.
#![allow(clippy::print_stdout)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use pay_core::wire::MinorUnits;
use pay_core::{
    Address, CallOptions, Capture as _, CaptureRequest, CardDetails, CardExpiry, CardNumber,
    CountryCode, CreateInstalments, CreateMandate, CreatePayment, CreatePayout, CreateSubscription,
    Currency, Customer, CustomerReference, Cvv, Email, ErrorKind, Iban, IdempotencyKey, Interval,
    MandateDebit, MandateId, Mandates as _, ManualClock, MerchantReference, Money, PayError,
    PaymentMethod, Payments as _, Payouts as _, Phone, ProviderPaymentId, Recurring as _,
    RefundRequest, Refunds as _, RetryPolicy, Rule, ValidationError, from_unix_seconds,
};
use pay_easypay::{AccountId, ApiKey, CaptureId, EasypayClient, PaymentId, wire as ep};
use pay_easytransac::{EasytransacClient, wire as et};
use pay_testkit::FakeServer;
use pay_testkit::easypay::{EasypayConfig, EasypayFake, PHONE_PENDING};
use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake, cards};
use secrecy::SecretString;

const ET_KEY: &str = "et_test_bad-input-suite";
const EP_ACCOUNT: &str = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const EP_API_KEY: &str = "bad-input-suite-api-key";
const RSA_PRIVATE_PEM: &str =
    include_str!("../../../fixtures/easypay/keys/test-rsa-2048-pkcs8.pem");
const RSA_PUBLIC_PEM: &str =
    include_str!("../../../fixtures/easypay/keys/test-rsa-2048-public-spki.pem");

/// How the invalid input reached the SDK.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    /// A client call (neutral trait or typed client) against a fake.
    Client,
    /// A constructor refused the value before any request could be built.
    Construction,
}

/// The rule's variant, by name.
fn rule_name(rule: &Rule) -> &'static str {
    match rule {
        Rule::Required => "Required",
        Rule::MaxLength { .. } => "MaxLength",
        Rule::MinLength { .. } => "MinLength",
        Rule::Digits => "Digits",
        Rule::Format { .. } => "Format",
        Rule::ForbiddenCharacter { .. } => "ForbiddenCharacter",
        Rule::OneOf { .. } => "OneOf",
        Rule::Luhn => "Luhn",
        Rule::Iban { .. } => "Iban",
        Rule::TooManyDecimals { .. } => "TooManyDecimals",
        Rule::CurrencyMismatch { .. } => "CurrencyMismatch",
        Rule::NoMinorUnit { .. } => "NoMinorUnit",
        Rule::Overflow => "Overflow",
        Rule::Minimum { .. } => "Minimum",
        Rule::Maximum { .. } => "Maximum",
        Rule::Range { .. } => "Range",
        Rule::Other(_) => "Other",
        _ => "(unknown)",
    }
}

/// One row of the report.
struct Row {
    provider: &'static str,
    via: Via,
    input: String,
    field: String,
    rule: String,
    problem: Option<String>,
}

/// Both fakes, a client for each, and the report.
struct Suite {
    et_server: FakeServer<EasytransacFake>,
    ep_server: FakeServer<EasypayFake>,
    et: EasytransacClient,
    ep: EasypayClient,
    rows: Vec<Row>,
}

impl Suite {
    async fn start() -> Self {
        let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
        let et_server = FakeServer::builder()
            .clock(clock.clone())
            .start(EasytransacFake::new(EasytransacConfig::new(
                SecretString::from(ET_KEY),
            )))
            .await
            .unwrap();
        let ep_server = FakeServer::builder()
            .clock(clock.clone())
            .start(EasypayFake::new(
                EasypayConfig::new(EP_ACCOUNT, EP_API_KEY)
                    .with_out_payment_key(RSA_PUBLIC_PEM)
                    .unwrap(),
            ))
            .await
            .unwrap();
        let retries = RetryPolicy::new(3, Duration::from_millis(1), Duration::from_millis(5));
        let et = EasytransacClient::builder(SecretString::from(ET_KEY))
            .base_url(et_server.base_url())
            .clock(Arc::new(clock.clone()))
            .retry_policy(retries)
            .build()
            .unwrap();
        let ep = EasypayClient::builder(AccountId::new(EP_ACCOUNT), ApiKey::new(EP_API_KEY))
            .base_url(ep_server.url("/2.0"))
            .clock(Arc::new(clock))
            .retry_policy(retries)
            .out_payment_key_pem(&SecretString::from(RSA_PRIVATE_PEM))
            .unwrap()
            .build()
            .unwrap();
        Self {
            et_server,
            ep_server,
            et,
            ep,
            rows: Vec::new(),
        }
    }

    fn sent(&self) -> usize {
        self.et_server.requests().len() + self.ep_server.requests().len()
    }

    /// A client call that must be refused before sending, as `InvalidRequest` on
    /// `field` breaking `rule`.
    fn client<T: std::fmt::Debug>(
        &mut self,
        provider: &'static str,
        input: &str,
        field: &str,
        rule: &str,
        result: Result<T, PayError>,
    ) {
        let mut problem = None;
        let (found_field, found_rule) = match &result {
            Ok(value) => {
                problem = Some(format!("accepted: {value:?}"));
                (String::new(), String::new())
            }
            Err(err) => match err.kind() {
                ErrorKind::InvalidRequest(v) => (v.field().to_owned(), describe(v)),
                other => {
                    problem = Some(format!("not InvalidRequest: {other} ({err})"));
                    (String::new(), String::new())
                }
            },
        };
        if problem.is_none() {
            problem = mismatch(field, rule, &result);
        }
        let sent = self.sent();
        if sent > 0 {
            let log: Vec<String> = self
                .et_server
                .requests()
                .iter()
                .chain(self.ep_server.requests().iter())
                .map(|r| format!("{} {}", r.method(), r.path()))
                .collect();
            problem = Some(format!(
                "SENT to the provider ({sent} request(s): {log:?}){}",
                problem.map(|p| format!("; {p}")).unwrap_or_default()
            ));
        }
        self.rows.push(Row {
            provider,
            via: Via::Client,
            input: input.to_owned(),
            field: found_field,
            rule: found_rule,
            problem,
        });
    }

    /// A constructor that must refuse the value with `field` and `rule`.
    fn construction<T: std::fmt::Debug>(
        &mut self,
        provider: &'static str,
        input: &str,
        field: &str,
        rule: &str,
        result: Result<T, ValidationError>,
    ) {
        let result = result.map_err(PayError::from);
        let (found_field, found_rule) = match &result {
            Err(err) => err
                .validation()
                .map(|v| (v.field().to_owned(), describe(v)))
                .unwrap_or_default(),
            Ok(_) => Default::default(),
        };
        let problem = match &result {
            Ok(value) => Some(format!("accepted: {value:?}")),
            Err(_) => mismatch(field, rule, &result),
        };
        self.rows.push(Row {
            provider,
            via: Via::Construction,
            input: input.to_owned(),
            field: found_field,
            rule: found_rule,
            problem,
        });
    }
}

fn describe(v: &ValidationError) -> String {
    format!("{} ({})", rule_name(v.rule()), v.rule())
}

/// What is wrong with an `InvalidRequest`, if anything: the field or the rule.
fn mismatch<T>(field: &str, rule: &str, result: &Result<T, PayError>) -> Option<String> {
    let v = result.as_ref().err()?.validation()?;
    let mut problems = Vec::new();
    if v.field() != field {
        problems.push(format!("field `{}`, expected `{field}`", v.field()));
    }
    if rule_name(v.rule()) != rule {
        problems.push(format!("rule {}, expected {rule}", rule_name(v.rule())));
    }
    if v.to_string().is_empty() {
        problems.push("an empty message".to_owned());
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR).unwrap()
}

fn usd(minor: i64) -> Money {
    Money::from_minor(minor, Currency::USD).unwrap()
}

fn reference(text: &str) -> MerchantReference {
    MerchantReference::new(text).unwrap()
}

fn card() -> PaymentMethod {
    PaymentMethod::Card(CardDetails::new(
        CardNumber::new(cards::SUCCESS).unwrap(),
        CardExpiry::new(12, 2030).unwrap(),
        Cvv::new("123").unwrap(),
    ))
}

fn ip() -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10))
}

fn et_customer() -> Customer {
    Customer::new()
        .with_name("Ana", "Silva")
        .with_email(Email::parse("ana@example.org").unwrap())
        .with_ip_address(ip())
}

fn sepa_customer(country: &str) -> Customer {
    let mut address = Address::new();
    address.line1 = Some("1 rue X".to_owned());
    address.postal_code = Some("75001".to_owned());
    address.city = Some("Paris".to_owned());
    address.country = Some(CountryCode::parse(country).unwrap());
    et_customer()
        .with_reference(CustomerReference::new("cust-1").unwrap())
        .with_address(address)
}

fn sepa(iban: &str) -> PaymentMethod {
    PaymentMethod::SepaDirectDebit {
        iban: Iban::parse(iban).unwrap(),
        account_holder: "Ana Silva".to_owned(),
        mandate: None,
    }
}

fn direct() -> et::V1DirectPaymentRequest {
    et::V1DirectPaymentRequest::new(
        MinorUnits(1000),
        cards::SUCCESS.to_owned(),
        "12".to_owned(),
        "2030".to_owned(),
        "123".to_owned(),
        "192.0.2.10".to_owned(),
    )
}

fn single(json: &str) -> ep::SingleCreateRequest {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

const MBW: &str = r#""method":"mbw","customer":{"name":"Ana","phone":"919876543"},"capture":{"descriptive":"Order"}"#;

async fn easytransac(s: &mut Suite) {
    let o = CallOptions::new();
    let c = &s.et;
    // Neutral traits.
    let r = c
        .create_payment(
            &CreatePayment::new(usd(1000), reference("bi-1"), card())
                .unwrap()
                .with_customer(et_customer()),
            &o,
        )
        .await;
    s.client(
        "easytransac",
        "card payment in USD (client takes EUR)",
        "amount",
        "CurrencyMismatch",
        r,
    );
    let c = &s.et;
    let r = c
        .create_payment(
            &CreatePayment::new(eur(1000), reference("bi-2"), card()).unwrap(),
            &o,
        )
        .await;
    s.client(
        "easytransac",
        "card payment without the client's IP",
        "customer.ip_address",
        "Required",
        r,
    );
    let c = &s.et;
    let r = c
        .create_payment(
            &CreatePayment::new(
                eur(1000),
                reference("bi-3"),
                PaymentMethod::MbWay {
                    phone: Phone::new("+351", PHONE_PENDING).unwrap(),
                },
            )
            .unwrap()
            .with_customer(et_customer()),
            &o,
        )
        .await;
    s.client(
        "easytransac",
        "MB WAY payment (not offered)",
        "method",
        "Other",
        r,
    );
    let c = &s.et;
    let r = c
        .create_payment(
            &CreatePayment::new(
                eur(1000),
                reference("bi-4"),
                sepa("FR1420041010050500013M02606"),
            )
            .unwrap()
            .with_customer(et_customer()),
            &o,
        )
        .await;
    s.client(
        "easytransac",
        "SEPA debit without the customer's reference",
        "customer.reference",
        "Required",
        r,
    );
    let c = &s.et;
    let r = c
        .create_payment(
            &CreatePayment::new(
                eur(1000),
                reference("bi-5"),
                sepa("FR1420041010050500013M02606"),
            )
            .unwrap()
            .with_customer(sepa_customer("US")),
            &o,
        )
        .await;
    s.client(
        "easytransac",
        "SEPA debit from a US address",
        "customer.address.country",
        "Other",
        r,
    );
    let c = &s.et;
    let r = c
        .create_payment(
            &CreatePayment::new(
                eur(1000),
                reference("bi-6"),
                sepa("FR1420041010050500013M02606"),
            )
            .unwrap()
            .with_customer(et_customer().with_reference(CustomerReference::new("c").unwrap())),
            &o,
        )
        .await;
    s.client(
        "easytransac",
        "SEPA debit without a postal address",
        "customer.address.line1",
        "Required",
        r,
    );
    let c = &s.et;
    let plan = |count: u8| {
        CreateInstalments::new(
            eur(9000),
            count,
            reference("bi-7"),
            card(),
            Interval::Monthly,
        )
        .unwrap()
        .with_customer(et_customer())
    };
    let r = c.create_instalments(&plan(13), &o).await;
    s.client(
        "easytransac",
        "13 instalments (2 to 12)",
        "count",
        "Range",
        r,
    );
    let c = &s.et;
    let r = c
        .create_instalments(&plan(3).with_first_instalment(eur(50)).unwrap(), &o)
        .await;
    s.client(
        "easytransac",
        "first instalment 0.50 (at least 1.00)",
        "first_instalment",
        "Minimum",
        r,
    );
    let c = &s.et;
    let r = c
        .create_instalments(&plan(3).with_first_instalment(eur(6400)).unwrap(), &o)
        .await;
    s.client(
        "easytransac",
        "first instalment 64.00 of 90.00 (at most 70 %)",
        "first_instalment",
        "Other",
        r,
    );
    let c = &s.et;
    let r = c
        .create_instalments(
            &CreateInstalments::new(eur(9000), 3, reference("bi-8"), card(), Interval::Monthly)
                .unwrap(),
            &o,
        )
        .await;
    s.client(
        "easytransac",
        "instalments without the client's IP",
        "customer.ip_address",
        "Required",
        r,
    );
    let c = &s.et;
    let sub = CreateSubscription::new(eur(990), reference("bi-9"), card(), Interval::Fortnightly)
        .unwrap()
        .with_customer(et_customer());
    let r = c.create_subscription(&sub, &o).await;
    s.client(
        "easytransac",
        "a fortnightly rebill (not an Easytransac recurrence)",
        "interval",
        "OneOf",
        r,
    );
    let c = &s.et;
    let sub = CreateSubscription::new(eur(990), reference("bi-10"), card(), Interval::Monthly)
        .unwrap()
        .with_customer(et_customer())
        .with_occurrences(6)
        .unwrap();
    let r = c.create_subscription(&sub, &o).await;
    s.client(
        "easytransac",
        "a rebill with an end count",
        "occurrences",
        "Other",
        r,
    );
    let c = &s.et;
    let tid = ProviderPaymentId::new("tid-1").unwrap();
    let r = c
        .capture(&CaptureRequest::partial(tid.clone(), usd(100)).unwrap(), &o)
        .await;
    s.client(
        "easytransac",
        "capture of 1.00 USD",
        "amount",
        "CurrencyMismatch",
        r,
    );
    let c = &s.et;
    let r = c
        .refund(&RefundRequest::partial(tid.clone(), usd(100)).unwrap(), &o)
        .await;
    s.client(
        "easytransac",
        "refund of 1.00 USD",
        "amount",
        "CurrencyMismatch",
        r,
    );
    let c = &s.et;
    let r = c
        .debit_mandate(
            &MandateDebit::new(MandateId::new("m-1").unwrap(), usd(100), reference("bi-11"))
                .unwrap(),
            &o,
        )
        .await;
    s.client(
        "easytransac",
        "V2 mandate debit in USD",
        "amount",
        "CurrencyMismatch",
        r,
    );

    // The typed client: the generated V1 checks.
    let cases: Vec<(&str, &str, &str, et::V1DirectPaymentRequest)> = vec![
        ("direct: Amount 0", "Amount", "Minimum", {
            let mut r = direct();
            r.amount = MinorUnits(0);
            r
        }),
        ("direct: Amount -500", "Amount", "Minimum", {
            let mut r = direct();
            r.amount = MinorUnits(-500);
            r
        }),
        ("direct: CardMonth 13", "CardMonth", "Format", {
            let mut r = direct();
            r.card_month = "13".to_owned();
            r
        }),
        ("direct: CardYear 30 (two digits)", "CardYear", "Format", {
            let mut r = direct();
            r.card_year = "30".to_owned();
            r
        }),
        ("direct: CardCVV 12", "CardCVV", "Format", {
            let mut r = direct();
            r.card_cvv = "12".to_owned();
            r
        }),
        ("direct: CardCVV 12a", "CardCVV", "Format", {
            let mut r = direct();
            r.card_cvv = "12a".to_owned();
            r
        }),
        ("direct: CardNumber empty", "CardNumber", "MinLength", {
            let mut r = direct();
            r.card_number = String::new();
            r
        }),
        ("direct: Email without @", "Email", "Format", {
            let mut r = direct();
            r.email = Some("ana.example.org".to_owned());
            r
        }),
        ("direct: ReturnUrl not a URL", "ReturnUrl", "Format", {
            let mut r = direct();
            r.return_url = Some("not a url".to_owned());
            r
        }),
        (
            "direct: PreAuthDuration 7 days (1 to 6)",
            "PreAuthDuration",
            "Range",
            {
                let mut r = direct();
                r.pre_auth_duration = Some(7);
                r
            },
        ),
        (
            "direct: Country FR (three letters wanted)",
            "Country",
            "Format",
            {
                let mut r = direct();
                r.country = Some("FR".to_owned());
                r
            },
        ),
        ("direct: BirthDate 2001-02-30", "BirthDate", "Format", {
            let mut r = direct();
            r.birth_date = Some("2001-02-30".to_owned());
            r
        }),
    ];
    for (input, field, rule, request) in cases {
        let r = s.et.payments().direct(&request, &o).await;
        s.client("easytransac", input, field, rule, r);
    }
}

async fn easypay(s: &mut Suite) {
    let o = CallOptions::new();
    let mb = |amount: Money| {
        CreatePayment::new(amount, reference("bi-ep"), PaymentMethod::Multibanco).unwrap()
    };
    let c = &s.ep;
    let r = c.create_payment(&mb(usd(1999)), &o).await;
    s.client(
        "easypay",
        "Multibanco payment in USD",
        "amount.currency",
        "OneOf",
        r,
    );
    let c = &s.ep;
    let r = c.create_payment(&mb(eur(10)), &o).await;
    s.client(
        "easypay",
        "payment of 0.10 EUR (at least 0.50)",
        "value",
        "Minimum",
        r,
    );
    let c = &s.ep;
    let r = c.create_payment(&mb(eur(100_000_000)), &o).await;
    s.client(
        "easypay",
        "payment of 1 000 000.00 EUR (at most 999 999.99)",
        "value",
        "Maximum",
        r,
    );
    let c = &s.ep;
    let r = c
        .create_payment(&mb(Money::from_minor(1999, Currency::JPY).unwrap()), &o)
        .await;
    s.client("easypay", "payment in JPY", "amount.currency", "OneOf", r);
    let c = &s.ep;
    let dd = CreatePayment::new(
        eur(1000),
        reference("bi-dd"),
        sepa("PT50000201231234567890154"),
    )
    .unwrap()
    .with_customer(Customer::new().with_phone(Phone::new("+351", "912000111").unwrap()));
    let r = c.create_payment(&dd, &o).await;
    s.client(
        "easypay",
        "SEPA debit without the customer's email",
        "customer.email",
        "Required",
        r,
    );
    let c = &s.ep;
    let dd = CreatePayment::new(
        eur(1000),
        reference("bi-dd2"),
        sepa("PT50000201231234567890154"),
    )
    .unwrap()
    .with_customer(Customer::new().with_email(Email::parse("a@example.org").unwrap()));
    let r = c.create_payment(&dd, &o).await;
    s.client(
        "easypay",
        "SEPA debit without the customer's phone",
        "customer.phone",
        "Required",
        r,
    );
    let c = &s.ep;
    let page =
        CreatePayment::new(eur(1000), reference("bi-co"), PaymentMethod::HostedPage).unwrap();
    let r = c.create_payment(&page, &o).await;
    s.client(
        "easypay",
        "checkout without the customer's email",
        "customer.email",
        "Required",
        r,
    );
    let c = &s.ep;
    let r = c
        .create_payment(
            &CreatePayment::new(eur(1000), reference("bi-card"), card()).unwrap(),
            &o,
        )
        .await;
    s.client(
        "easypay",
        "card data server to server (Easypay has a card form)",
        "method",
        "Format",
        r,
    );
    let c = &s.ep;
    let long_key = IdempotencyKey::new("k".repeat(51)).unwrap();
    let r = c
        .create_payment(
            &mb(eur(1000)),
            &CallOptions::new().idempotency_key(long_key),
        )
        .await;
    s.client(
        "easypay",
        "Idempotency-Key of 51 characters (at most 50)",
        "idempotency_key",
        "MaxLength",
        r,
    );
    let c = &s.ep;
    // Easypay ids are opaque text (usually UUIDs; the reference says to treat them as
    // opaque), so only their length is checked: 1 to 100 characters.
    let long_id = ProviderPaymentId::new("p".repeat(101)).unwrap();
    let r = c.get_payment(&long_id, &o).await;
    s.client(
        "easypay",
        "get_payment by an id of 101 characters (at most 100)",
        "payment_id",
        "MaxLength",
        r,
    );
    let c = &s.ep;
    let payout = CreatePayout::new(
        usd(1000),
        reference("bi-po"),
        Iban::parse("PT50000201231234567890154").unwrap(),
        "Bea",
    )
    .unwrap()
    .with_beneficiary_email(Email::parse("bea@example.org").unwrap())
    .with_beneficiary_phone(Phone::new("+351", "912345678").unwrap());
    let r = c.create_payout(&payout, &o).await;
    s.client(
        "easypay",
        "out-payment in USD",
        "amount.currency",
        "OneOf",
        r,
    );
    let c = &s.ep;
    let r = c
        .refund(
            &RefundRequest::partial(long_id.clone(), eur(100)).unwrap(),
            &o,
        )
        .await;
    s.client(
        "easypay",
        "refund of a payment id of 101 characters",
        "payment_id",
        "MaxLength",
        r,
    );
    let c = &s.ep;
    let r = c
        .capture(
            &CaptureRequest::partial(long_id.clone(), eur(100)).unwrap(),
            &o,
        )
        .await;
    s.client(
        "easypay",
        "capture of a payment id of 101 characters",
        "payment_id",
        "MaxLength",
        r,
    );

    // The typed client: generated checks on bodies, queries and paths.
    let singles: Vec<(&str, &str, &str, String)> = vec![
        ("single: value 0.499 (3 decimals)", "value", "TooManyDecimals", format!(r#"{{"value":0.499,{MBW}}}"#)),
        ("single: value -1", "value", "Minimum", format!(r#"{{"value":-1,{MBW}}}"#)),
        ("single: value 0", "value", "Minimum", format!(r#"{{"value":0,{MBW}}}"#)),
        ("single: key of 51 characters", "key", "MaxLength", format!(r#"{{"value":5,"key":"{}",{MBW}}}"#, "k".repeat(51))),
        ("single: expiration_time 2024-12-31 (no time)", "expiration_time", "Format", format!(r#"{{"value":5,"expiration_time":"2024-12-31",{MBW}}}"#)),
        ("single: MB WAY without a customer", "customer", "Required", r#"{"value":5,"method":"mbw","capture":{"descriptive":"Order"}}"#.to_owned()),
        ("single: MB WAY customer without a phone", "customer.phone", "Required", r#"{"value":5,"method":"mbw","customer":{"name":"Ana"},"capture":{"descriptive":"Order"}}"#.to_owned()),
        ("single: MB WAY phone of 16 digits", "customer.phone", "MaxLength", r#"{"value":5,"method":"mbw","customer":{"phone":"9123456789012345"},"capture":{"descriptive":"Order"}}"#.to_owned()),
        ("single: customer email without @", "customer.email", "Format", r#"{"value":5,"method":"mbw","customer":{"phone":"919876543","email":"ana.example.org"},"capture":{"descriptive":"Order"}}"#.to_owned()),
        ("single: direct debit without sdd_mandate", "sdd_mandate", "Required", r#"{"value":5,"method":"dd","capture":{"descriptive":"Order"}}"#.to_owned()),
        ("single: sale without capture", "capture", "Required", r#"{"value":5,"method":"mb"}"#.to_owned()),
        ("single: capture.descriptive of 256 characters", "capture.descriptive", "MaxLength", format!(r#"{{"value":5,"method":"mb","capture":{{"descriptive":"{}"}}}}"#, "d".repeat(256))),
        ("single: capture_date 2024-02-30", "capture.capture_date", "Format", r#"{"value":5,"method":"mb","capture":{"descriptive":"Order","capture_date":"2024-02-30"}}"#.to_owned()),
        ("single: method xx", "method", "OneOf", r#"{"value":5,"method":"xx","capture":{"descriptive":"Order"}}"#.to_owned()),
        ("single: currency USD", "currency", "OneOf", format!(r#"{{"value":5,"currency":"USD",{MBW}}}"#)),
    ];
    for (input, field, rule, json) in singles {
        let r = s.ep.single().create(&single(&json), &o).await;
        s.client("easypay", input, field, rule, r);
    }
    let out = |descriptive: &str, value: &str| -> ep::OutPaymentCreateRequest {
        let json = format!(
            r#"{{"customer":{{"name":"Bea"}},"value":{value},"method":"transfer","timestamp":"0","descriptive":"{descriptive}","out_account":{{"account_holder":"Bea","iban":"PT50000201231234567890154","email":"bea@example.org","phone":"912345678"}}}}"#
        );
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
    };
    let r = s.ep.out_payments().create(&out("Pay-out!", "10"), &o).await;
    s.client(
        "easypay",
        "out-payment descriptive `Pay-out!` (letters, digits, ` .,/+*$%`)",
        "descriptive",
        "Format",
        r,
    );
    let r =
        s.ep.out_payments()
            .create(&out("Supplier", "0.1"), &o)
            .await;
    s.client(
        "easypay",
        "out-payment of 0.10 (at least 0.50)",
        "value",
        "Minimum",
        r,
    );
    let r =
        s.ep.out_payments()
            .create(&out(&"d".repeat(141), "10"), &o)
            .await;
    s.client(
        "easypay",
        "out-payment descriptive of 141 characters",
        "descriptive",
        "MaxLength",
        r,
    );

    let query = |json: &str| -> ep::SingleListQuery {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
    };
    let lists: Vec<(&str, &str, &str, &str)> = vec![
        (
            "list: created_at spanning 31 days",
            "created_at",
            "Other",
            r#"{"created_at":"interval(2024-01-01 00:00,2024-02-01 00:00)"}"#,
        ),
        (
            "list: created_at not an interval",
            "created_at",
            "Format",
            r#"{"created_at":"2024-01-01"}"#,
        ),
        (
            "list: records_per_page 101",
            "records_per_page",
            "Range",
            r#"{"records_per_page":101}"#,
        ),
        ("list: page 0", "page", "Minimum", r#"{"page":0}"#),
    ];
    for (input, field, rule, json) in lists {
        let r = s.ep.single().list(&query(json), &o).await;
        s.client("easypay", input, field, rule, r);
    }
    let report: ep::ReportTransactionsQuery =
        serde_json::from_str(r#"{"start_date":"2024-01-01","end_date":"2024-01-31 00:00"}"#)
            .unwrap();
    let r = s.ep.reports().transactions(&report, &o).await;
    s.client(
        "easypay",
        "report: start_date without a time",
        "start_date",
        "Format",
        r,
    );
    let payment = PaymentId::new("3f1c9a7e-0000-4000-8000-000000000001").unwrap();
    let r =
        s.ep.captures()
            .create(
                &payment,
                &serde_json::from_str(r#"{"descriptive":"Capture","value":0.001}"#).unwrap(),
                &o,
            )
            .await;
    s.client("easypay", "capture of 0.001", "value", "TooManyDecimals", r);
    let r =
        s.ep.refunds()
            .create(
                &CaptureId::new("3f1c9a7e-0000-4000-8000-000000000002").unwrap(),
                &serde_json::from_str(r#"{"value":-1}"#).unwrap(),
                &o,
            )
            .await;
    s.client("easypay", "refund of -1", "value", "Minimum", r);
    let checkout = |customer: &str, value: &str| -> ep::CheckoutCreateRequest {
        let json = format!(
            r#"{{"type":["single"],"payment":{{"methods":["cc"],"type":"sale","capture":{{"descriptive":"Shop"}}}},"order":{{"value":{value},"key":"o"}},"customer":{customer}}}"#
        );
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
    };
    let r =
        s.ep.checkout()
            .create(
                &checkout(r#"{"name":"A","email":"a.example.org"}"#, "12.3"),
                &o,
            )
            .await;
    s.client(
        "easypay",
        "checkout: customer email without @",
        "customer.email",
        "Format",
        r,
    );
    let r =
        s.ep.checkout()
            .create(
                &checkout(r#"{"name":"A","email":"a@example.org"}"#, "12.345"),
                &o,
            )
            .await;
    s.client(
        "easypay",
        "checkout: order value 12.345",
        "order.value",
        "TooManyDecimals",
        r,
    );
    let r =
        s.ep.config()
            .update(
                &serde_json::from_str(r#"{"generic":"not a url"}"#).unwrap(),
                &o,
            )
            .await;
    s.client(
        "easypay",
        "config: generic notification URL `not a url`",
        "generic",
        "Format",
        r,
    );
}

fn construction(s: &mut Suite) {
    s.construction(
        "pay-core",
        "Money::parse_major(\"12.345\", EUR)",
        "amount",
        "TooManyDecimals",
        Money::parse_major("12.345", Currency::EUR),
    );
    s.construction(
        "pay-core",
        "Money::parse_major(\"100.5\", JPY)",
        "amount",
        "TooManyDecimals",
        Money::parse_major("100.5", Currency::JPY),
    );
    s.construction(
        "pay-core",
        "CreatePayment of 0.00 EUR",
        "amount",
        "Minimum",
        CreatePayment::new(eur(0), reference("c-1"), card()),
    );
    s.construction(
        "pay-core",
        "CreatePayment of -5.00 EUR",
        "amount",
        "Minimum",
        CreatePayment::new(eur(-500), reference("c-2"), card()),
    );
    s.construction(
        "pay-core",
        "Iban::parse with a wrong check digit",
        "iban",
        "Iban",
        Iban::parse("PT51000201231234567890154"),
    );
    s.construction(
        "pay-core",
        "Iban::parse of an unknown country",
        "iban",
        "Iban",
        Iban::parse("XX57WEST12345698765432"),
    );
    s.construction(
        "pay-core",
        "CardNumber::new failing Luhn",
        "card_number",
        "Luhn",
        CardNumber::new("4111111111111112"),
    );
    s.construction(
        "pay-core",
        "CardExpiry::new(13, 2030)",
        "card_expiry.month",
        "Range",
        CardExpiry::new(13, 2030),
    );
    s.construction(
        "pay-core",
        "Cvv::new(\"12\")",
        "cvv",
        "MinLength",
        Cvv::new("12"),
    );
    s.construction(
        "pay-core",
        "Phone::new(\"351\", …) without +",
        "phone.indicative",
        "Format",
        Phone::new("351", "912345678"),
    );
    s.construction(
        "pay-core",
        "Phone::new(\"+351\", 16 digits)",
        "phone.number",
        "MaxLength",
        Phone::new("+351", "9123456789012345"),
    );
    s.construction(
        "pay-core",
        "Email::parse(\"ana.example.org\")",
        "email",
        "Format",
        Email::parse("ana.example.org"),
    );
    s.construction(
        "pay-core",
        "CreateInstalments with 1 instalment",
        "count",
        "Range",
        CreateInstalments::new(eur(9000), 1, reference("c-3"), card(), Interval::Monthly),
    );
    s.construction(
        "pay-core",
        "MerchantReference of 256 characters",
        "merchant_reference",
        "MaxLength",
        MerchantReference::new("r".repeat(256)),
    );
    s.construction(
        "pay-core",
        "CreateMandate with a blank holder",
        "account_holder",
        "Required",
        CreateMandate::new(
            reference("c-4"),
            Iban::parse("FR1420041010050500013M02606").unwrap(),
            " ",
        ),
    );
    s.construction(
        "pay-easypay",
        "PaymentId of 101 characters",
        "payment_id",
        "MaxLength",
        PaymentId::new("p".repeat(101)),
    );
    s.construction(
        "pay-easypay",
        "CaptureId empty",
        "capture_id",
        "Required",
        CaptureId::new(""),
    );
    s.construction(
        "pay-core",
        "IdempotencyKey with a space",
        "idempotency_key",
        "ForbiddenCharacter",
        IdempotencyKey::new("order 42"),
    );
}

#[tokio::test]
async fn every_invalid_input_is_refused_before_sending_naming_field_and_rule() {
    let mut s = Suite::start().await;
    easytransac(&mut s).await;
    easypay(&mut s).await;
    construction(&mut s);

    let width = s
        .rows
        .iter()
        .map(|r| r.input.chars().count())
        .max()
        .unwrap_or(10);
    println!();
    println!(
        "{:<3} {:<11} {:<12} {:<width$}  {:<28} rule",
        "#", "provider", "via", "input", "field"
    );
    for (i, row) in s.rows.iter().enumerate() {
        let via = match row.via {
            Via::Client => "client",
            Via::Construction => "constructor",
        };
        println!(
            "{:<3} {:<11} {:<12} {:<width$}  {:<28} {}{}",
            i + 1,
            row.provider,
            via,
            row.input,
            row.field,
            row.rule,
            row.problem
                .as_ref()
                .map(|p| format!("   <-- PROBLEM: {p}"))
                .unwrap_or_default()
        );
    }
    let through_clients = s.rows.iter().filter(|r| r.via == Via::Client).count();
    let constructed = s.rows.len() - through_clients;
    let problems: Vec<&Row> = s.rows.iter().filter(|r| r.problem.is_some()).collect();
    let sent = s.sent();
    println!(
        "\nbad-input suite: {} invalid inputs, {through_clients} through a client call, {constructed} at construction; requests the fakes received: {sent}; problems: {}",
        s.rows.len(),
        problems.len()
    );
    assert!(
        problems.is_empty(),
        "{} input(s) not refused as expected; see the table",
        problems.len()
    );
    assert_eq!(sent, 0, "the fakes' request logs stay empty");
    assert!(s.rows.len() >= 50, "at least 50 invalid inputs");
    assert!(through_clients >= 35, "at least 35 through a client call");
    // The request logs are not vacuously empty: a valid call is received and recorded.
    let o = CallOptions::new();
    let valid = CreatePayment::new(eur(1000), reference("bi-valid"), card())
        .unwrap()
        .with_customer(et_customer());
    s.et.create_payment(&valid, &o).await.unwrap();
    let valid =
        CreatePayment::new(eur(1000), reference("bi-valid"), PaymentMethod::Multibanco).unwrap();
    s.ep.create_payment(&valid, &o).await.unwrap();
    assert_eq!(
        s.et_server.requests().len(),
        1,
        "the Easytransac fake records"
    );
    assert!(
        !s.ep_server.requests().is_empty(),
        "the Easypay fake records"
    );
}
