//! The secret-leak suite (issue 13, item 2): full flows of both providers against the
//! pay-testkit fakes, with every log captured at TRACE and the `Debug` and `Display` of
//! every request, answer, error (with its `source()` chain), client, builder,
//! configuration, webhook event and secret type collected; then every secret the flows
//! handled is searched for in all of it, in several encodings (raw, card numbers grouped
//! by four, IBANs grouped and lowercase, URL- and JSON-encoded, Basic credentials), and
//! each hit is printed with the line it was found on.
//!
//! Its own test binary with a single flow test: `tracing`'s callsite interest is
//! process-wide, so a test on another thread logging without the subscriber could make
//! callsites skip this one's. The other tests here check the scanner and log nothing.

// The report of leaks (surface, secret, encoding and the leaking line) is printed on
// purpose: when this suite fails, the output must say exactly what leaked where.
#![allow(clippy::print_stdout)]

use std::error::Error as _;
use std::fmt::{Debug, Display};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use pay_core::{
    Address, CallOptions, Capture as _, CaptureMode, CaptureRequest, CardDetails, CardExpiry,
    CardNumber, CardToken, CountryCode, CreateInstalments, CreateMandate, CreatePayment,
    CreatePayout, Currency, Customer, CustomerReference, Cvv, Email, Iban, Interval, MandateDebit,
    Mandates as _, ManualClock, MerchantReference, Money, NextAction, PayError, PaymentMethod,
    Payments as _, Payouts as _, Phone, ProviderPaymentId, RawWebhook, Recurring as _,
    RefundAccount, RefundRequest, Refunds as _, RetryPolicy, SavedCard, SessionToken, Void as _,
    VoidRequest, Webhooks as _, from_unix_seconds,
};
use pay_easypay::{AccountId, ApiKey, EasypayClient, NotificationAuth, wire as ep_wire};
use pay_easytransac::{EasytransacClient, wire as et_wire};
use pay_testkit::easypay::{EasypayConfig, EasypayFake, PHONE_DECLINED, PHONE_PENDING};
use pay_testkit::easytransac::{EasytransacConfig, EasytransacFake, cards};
use pay_testkit::logs::capture_at_trace;
use pay_testkit::{Context, FakeServer, Fault, Route};
use secrecy::{ExposeSecret as _, SecretString};

// ---------------------------------------------------------------------------------------
// The secrets the flows hand to the SDK.
// ---------------------------------------------------------------------------------------

const ET_KEY: &str = "et_test_leak-suite-key-Q5x9Lr";
const ET_WRONG_KEY: &str = "et_test_wrong-leak-key-Vb71Nc";
const EP_ACCOUNT: &str = "7d3c2b1a-9e8f-4a6b-8c5d-0e1f2a3b4c5d";
const EP_API_KEY: &str = "ep-leak-suite-api-key-Zt42Wq";
const EP_WRONG_API_KEY: &str = "ep-wrong-leak-api-key-Hu08Ys";
const HOOK_USER: &str = "leak-suite-hooks";
const HOOK_PASSWORD: &str = "hook-pw-Kd83-leak-suite";

/// An ordinary card the Easytransac fake accepts (Luhn-valid, not a testkit magic number,
/// so its digits are distinctive).
const CARD_PLAIN: &str = "4111174922860136";
/// A card typed into Easypay's card form (the fake authorises prefix `0000`).
const CARD_FORM: &str = "0000482917365504";
/// With a leading zero: no timing, counter or id in the logs prints a number so, so the
/// CVV cannot turn up there by chance (`738` once could, as `time.busy=738µs`).
const CVV: &str = "073";

const IBAN_ET_MANDATE: &str = "FR1420041010050500013M02606";
const IBAN_ET_DEBIT: &str = "DE44500105175407324931";
const IBAN_EP_DEBIT: &str = "PT17003506510000487311195";
const IBAN_EP_PAYOUT: &str = "PT55000700001234567892301";
const IBAN_EP_REFUND: &str = "FR7630006000011234567890189";

/// The documented test key (never a production key): its public half verifies
/// out-payments at the fake.
const RSA_PRIVATE_PEM: &str =
    include_str!("../../../fixtures/easypay/keys/test-rsa-2048-pkcs8.pem");
const RSA_PUBLIC_PEM: &str =
    include_str!("../../../fixtures/easypay/keys/test-rsa-2048-public-spki.pem");

// ---------------------------------------------------------------------------------------
// What is searched: every log line and every Debug/Display collected.
// ---------------------------------------------------------------------------------------

/// Every text the SDK produced during the flows, labelled by where it came from.
#[derive(Default)]
struct Surfaces {
    items: Vec<(String, String)>,
}

impl Surfaces {
    fn push(&mut self, label: String, text: String) {
        self.items.push((label, text));
    }

    fn debug(&mut self, label: &str, value: &dyn Debug) {
        self.push(format!("{label} (Debug)"), format!("{value:?}"));
        self.push(format!("{label} (Debug, pretty)"), format!("{value:#?}"));
    }

    fn display(&mut self, label: &str, value: &dyn Display) {
        self.push(format!("{label} (Display)"), value.to_string());
    }

    fn both<T: Debug + Display>(&mut self, label: &str, value: &T) {
        self.debug(label, value);
        self.display(label, value);
    }

    /// An error: its `Debug`, `Display`, redacted body, and every `source()` below it.
    fn error(&mut self, label: &str, err: &PayError) {
        self.both(label, err);
        self.debug(&format!("{label} kind"), err.kind());
        self.display(&format!("{label} kind"), err.kind());
        if let Some(body) = err.body() {
            self.debug(&format!("{label} body"), body);
        }
        if let Some(message) = err.provider_message() {
            self.push(format!("{label} provider_message"), message.to_owned());
        }
        let mut depth = 0;
        let mut source = err.source();
        while let Some(s) = source {
            depth += 1;
            self.debug(&format!("{label} source #{depth}"), &s);
            self.display(&format!("{label} source #{depth}"), &s);
            source = s.source();
        }
    }

    /// A call's outcome, either way; the value when it succeeded.
    fn result<T: Debug>(&mut self, label: &str, result: Result<T, PayError>) -> Option<T> {
        match result {
            Ok(value) => {
                self.debug(label, &value);
                Some(value)
            }
            Err(err) => {
                self.error(label, &err);
                None
            }
        }
    }

    /// A call that must fail: the error, collected.
    fn failure<T: Debug>(&mut self, label: &str, result: Result<T, PayError>) -> PayError {
        match result {
            Ok(value) => panic!("{label}: expected an error, got {value:?}"),
            Err(err) => {
                self.error(label, &err);
                err
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The scanner.
// ---------------------------------------------------------------------------------------

/// How a secret is recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Keys, account ids, passwords, tokens, key material: any appearance.
    Text,
    /// A card number: anything beyond the last four digits.
    Card,
    /// An IBAN: in full, or its BBAN.
    Iban,
    /// A CVV: too short to search alone, so next to a CVV-like word or quoted.
    Cvv,
}

#[derive(Clone, Debug)]
struct Secret {
    name: String,
    value: String,
    kind: Kind,
}

impl Secret {
    fn new(name: impl Into<String>, value: impl Into<String>, kind: Kind) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
            kind,
        }
    }

    /// The (encoding, needle) pairs that show this secret.
    fn needles(&self) -> Vec<(&'static str, String)> {
        let v = self.value.as_str();
        let mut out = vec![("raw", v.to_owned())];
        match self.kind {
            Kind::Text => {
                out.push(("url-encoded", url_encode(v)));
                out.push(("JSON-escaped", json_escape(v)));
                out.push((
                    "base64",
                    base64::engine::general_purpose::STANDARD.encode(v),
                ));
            }
            Kind::Card => {
                let hidden = &v[..v.len() - 4];
                out.push(("beyond the last 4 digits", hidden.to_owned()));
                out.push(("grouped by 4 with spaces", group(v, " ")));
                out.push(("grouped by 4 with dashes", group(v, "-")));
                out.push(("grouped, URL-encoded (%20)", group(v, "%20")));
                out.push(("grouped, form-encoded (+)", group(v, "+")));
                out.push(("grouped, without the last 4", group(hidden, " ")));
            }
            Kind::Iban => {
                let bban = &v[4..];
                out.push(("lowercase", v.to_lowercase()));
                out.push(("grouped by 4", group(v, " ")));
                out.push(("grouped by 4, lowercase", group(&v.to_lowercase(), " ")));
                out.push(("grouped, URL-encoded (%20)", group(v, "%20")));
                out.push(("grouped, form-encoded (+)", group(v, "+")));
                out.push(("BBAN", bban.to_owned()));
                out.push(("BBAN lowercase", bban.to_lowercase()));
            }
            Kind::Cvv => {
                out.clear();
                out.push(("quoted", format!("\"{v}\"")));
                out.push(("after '='", format!("={v}")));
            }
        }
        out.retain(|(_, needle)| !needle.is_empty());
        out.dedup_by(|a, b| a.1 == b.1);
        out
    }

    /// The encodings of this secret found on `line`.
    fn found_in(&self, line: &str) -> Vec<&'static str> {
        let mut hits: Vec<&'static str> = self
            .needles()
            .into_iter()
            .filter(|(_, needle)| line.contains(needle.as_str()))
            .map(|(encoding, _)| encoding)
            .collect();
        if self.kind == Kind::Cvv {
            let lower = line.to_ascii_lowercase();
            let near_word = ["cvv", "cvc", "csc", "cryptogram", "security code"]
                .iter()
                .any(|w| lower.contains(w));
            if near_word && standalone_digits(line, &self.value) {
                hits.push("beside a CVV field name");
            }
        }
        hits
    }
}

/// `digits` appears in `line` as a whole run of digits (not inside a longer number).
fn standalone_digits(line: &str, digits: &str) -> bool {
    let bytes = line.as_bytes();
    line.match_indices(digits).any(|(at, m)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + m.len()).copied();
        !before.is_some_and(|b| b.is_ascii_digit()) && !after.is_some_and(|b| b.is_ascii_digit())
    })
}

fn group(text: &str, separator: &str) -> String {
    text.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(separator)
}

fn url_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn json_escape(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted.trim_matches('"').replace('/', "\\/")
}

/// One secret found somewhere it must not be.
struct Leak {
    surface: String,
    secret: String,
    encoding: &'static str,
    line: String,
}

fn scan(surfaces: &[(String, String)], secrets: &[Secret]) -> Vec<Leak> {
    let mut leaks = Vec::new();
    for (surface, text) in surfaces {
        for line in text.lines() {
            for secret in secrets {
                for encoding in secret.found_in(line) {
                    leaks.push(Leak {
                        surface: surface.clone(),
                        secret: secret.name.clone(),
                        encoding,
                        line: line.chars().take(400).collect(),
                    });
                }
            }
        }
    }
    leaks
}

fn report(leaks: &[Leak]) {
    if leaks.is_empty() {
        return;
    }
    println!();
    println!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    println!("!!! SECRET LEAK: {} occurrence(s)", leaks.len());
    println!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    for leak in leaks {
        println!(
            "LEAK  {} ({}) in {}:\n      {}",
            leak.secret, leak.encoding, leak.surface, leak.line
        );
    }
    println!();
}

/// The secrets known before the flows run; the flows add what providers hand back.
fn static_secrets() -> Vec<Secret> {
    let mut secrets = vec![
        Secret::new("Easytransac API key", ET_KEY, Kind::Text),
        Secret::new("Easytransac wrong API key", ET_WRONG_KEY, Kind::Text),
        Secret::new("Easypay AccountId", EP_ACCOUNT, Kind::Text),
        Secret::new("Easypay ApiKey", EP_API_KEY, Kind::Text),
        Secret::new("Easypay wrong ApiKey", EP_WRONG_API_KEY, Kind::Text),
        Secret::new("notification password", HOOK_PASSWORD, Kind::Text),
        Secret::new(
            "notification Basic credentials",
            base64::engine::general_purpose::STANDARD
                .encode(format!("{HOOK_USER}:{HOOK_PASSWORD}")),
            Kind::Text,
        ),
        Secret::new("card (plain)", CARD_PLAIN, Kind::Card),
        Secret::new("card (3-D Secure)", cards::THREE_DS_CHALLENGE, Kind::Card),
        Secret::new(
            "card (declined)",
            cards::DECLINED_INSUFFICIENT_FUNDS,
            Kind::Card,
        ),
        Secret::new("card (success)", cards::SUCCESS, Kind::Card),
        Secret::new("card (Easypay form)", CARD_FORM, Kind::Card),
        Secret::new("card (bad Luhn)", "4111111111111112", Kind::Card),
        Secret::new("CVV", CVV, Kind::Cvv),
        Secret::new("IBAN (Easytransac mandate)", IBAN_ET_MANDATE, Kind::Iban),
        Secret::new("IBAN (Easytransac V1 debit)", IBAN_ET_DEBIT, Kind::Iban),
        Secret::new("IBAN (Easypay debit)", IBAN_EP_DEBIT, Kind::Iban),
        Secret::new("IBAN (Easypay out-payment)", IBAN_EP_PAYOUT, Kind::Iban),
        Secret::new("IBAN (Easypay refund account)", IBAN_EP_REFUND, Kind::Iban),
        Secret::new("PEM private key header", "PRIVATE KEY-----", Kind::Text),
    ];
    // Every line of the private key's base64 body, and a shorter prefix of each.
    for (i, line) in RSA_PRIVATE_PEM
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 24)
        .enumerate()
    {
        secrets.push(Secret::new(
            format!("RSA private key, line {i}"),
            line,
            Kind::Text,
        ));
        secrets.push(Secret::new(
            format!("RSA private key, line {i} (first 24)"),
            &line[..24],
            Kind::Text,
        ));
    }
    secrets
}

// ---------------------------------------------------------------------------------------
// The flows.
// ---------------------------------------------------------------------------------------

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR).unwrap()
}

fn reference(text: &str) -> MerchantReference {
    MerchantReference::new(text).unwrap()
}

fn card(number: &str) -> PaymentMethod {
    PaymentMethod::Card(
        CardDetails::new(
            CardNumber::new(number).unwrap(),
            CardExpiry::new(11, 2031).unwrap(),
            Cvv::new(CVV).unwrap(),
        )
        .with_holder("Ana Silva"),
    )
}

fn et_customer() -> Customer {
    let mut address = Address::new();
    address.line1 = Some("12 rue des Lilas".to_owned());
    address.postal_code = Some("75011".to_owned());
    address.city = Some("Paris".to_owned());
    address.country = Some(CountryCode::parse("FR").unwrap());
    Customer::new()
        .with_name("Ana", "Silva")
        .with_email(Email::parse("ana.silva@example.org").unwrap())
        .with_reference(CustomerReference::new("cust-ana-1").unwrap())
        .with_ip_address(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)))
        .with_address(address)
}

fn ep_customer() -> Customer {
    Customer::new()
        .with_name("Rui", "Costa")
        .with_email(Email::parse("rui.costa@example.org").unwrap())
        .with_phone(Phone::new("+351", "912000111").unwrap())
}

fn raw_of(notification: &pay_testkit::Notification) -> RawWebhook {
    RawWebhook::new(
        notification.headers().to_vec(),
        notification.body().to_vec(),
        from_unix_seconds(1_700_000_000),
    )
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::new(3, Duration::from_millis(1), Duration::from_millis(5))
}

/// What the flows learnt that is secret: tokens and aliases the providers handed back.
#[derive(Default)]
struct Learnt {
    secrets: Vec<Secret>,
    notifications: usize,
    errors: usize,
}

impl Learnt {
    fn token(&mut self, name: &str, value: &str) {
        if !value.is_empty() {
            self.secrets.push(Secret::new(name, value, Kind::Text));
        }
    }
}

async fn easytransac(s: &mut Surfaces, learnt: &mut Learnt) {
    let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
    let fake_config = EasytransacConfig::new(SecretString::from(ET_KEY))
        .notification_url("http://127.0.0.1:9/hooks/easytransac");
    s.debug("Easytransac fake config", &fake_config);
    let server = FakeServer::builder()
        .clock(clock.clone())
        .start(EasytransacFake::new(fake_config))
        .await
        .unwrap();
    let builder = EasytransacClient::builder(SecretString::from(ET_KEY))
        .base_url(server.base_url())
        .clock(Arc::new(clock.clone()))
        .retry_policy(fast_retries());
    s.debug("Easytransac client builder", &builder);
    let client = builder.build().unwrap();
    s.debug("Easytransac client", &client);
    let c = &client;
    let o = CallOptions::new();
    s.debug("call options", &o);
    let ctx = || Context::new(&clock, server.webhooks(), server.base_url());

    // A card payment, its card saved, then paid again with the saved card.
    let request = CreatePayment::new(eur(2500), reference("leak-et-1"), card(CARD_PLAIN))
        .unwrap()
        .with_customer(et_customer())
        .with_description("Leak suite order")
        .save_card();
    s.debug("ET CreatePayment (card)", &request);
    let paid = s
        .result(
            "ET create_payment (card)",
            c.create_payment(&request, &o).await,
        )
        .unwrap();
    if let Some(saved) = &paid.saved_card {
        learnt.token("Easytransac card alias", saved.token.expose_secret());
        s.debug("ET SavedCard", saved);
        s.debug("ET CardToken", &saved.token);
        let again = CreatePayment::new(
            eur(1200),
            reference("leak-et-1c"),
            PaymentMethod::SavedCard(saved.clone()),
        )
        .unwrap()
        .with_customer(et_customer());
        s.debug("ET CreatePayment (saved card)", &again);
        s.result(
            "ET create_payment (saved card)",
            c.create_payment(&again, &o).await,
        );
    }
    let paid_id = paid.id.clone().unwrap();
    s.result("ET get_payment", c.get_payment(&paid_id, &o).await);
    s.result(
        "ET find_by_reference",
        c.find_by_reference(&reference("leak-et-1"), &o).await,
    );
    let refund = RefundRequest::partial(paid_id.clone(), eur(700))
        .unwrap()
        .with_reason("leak suite");
    s.debug("ET RefundRequest", &refund);
    s.result("ET refund", c.refund(&refund, &o).await);

    // 3-D Secure, completed, then the PUSH notification verified and parsed.
    let request = CreatePayment::new(
        eur(3100),
        reference("leak-et-3ds"),
        card(cards::THREE_DS_CHALLENGE),
    )
    .unwrap()
    .with_customer(et_customer());
    let pending = s
        .result(
            "ET create_payment (3-D Secure)",
            c.create_payment(&request, &o).await,
        )
        .unwrap();
    s.debug("ET next action", &pending.next_action);
    let tid = pending.id.clone().unwrap();
    server
        .provider()
        .complete_3ds(&ctx(), tid.as_str())
        .unwrap();
    s.result("ET get_payment (after 3DS)", c.get_payment(&tid, &o).await);

    // Pre-authorisation, partial capture; another one voided.
    let mut request = CreatePayment::new(eur(5000), reference("leak-et-pre"), card(CARD_PLAIN))
        .unwrap()
        .with_customer(et_customer());
    request.capture = CaptureMode::Manual;
    let authorised = s
        .result(
            "ET create_payment (pre-auth)",
            c.create_payment(&request, &o).await,
        )
        .unwrap();
    let capture = CaptureRequest::partial(authorised.id.clone().unwrap(), eur(4200)).unwrap();
    s.debug("ET CaptureRequest", &capture);
    s.result("ET capture", c.capture(&capture, &o).await);
    let request = CreatePayment::new(eur(900), reference("leak-et-void"), card(CARD_PLAIN))
        .unwrap()
        .with_customer(et_customer())
        .authorize_only();
    let to_void = s
        .result(
            "ET create_payment (to void)",
            c.create_payment(&request, &o).await,
        )
        .unwrap();
    let void = VoidRequest::new(to_void.id.clone().unwrap());
    s.debug("ET VoidRequest", &void);
    s.result("ET void", c.void(&void, &o).await);

    // A decline is data.
    let request = CreatePayment::new(
        eur(4400),
        reference("leak-et-declined"),
        card(cards::DECLINED_INSUFFICIENT_FUNDS),
    )
    .unwrap()
    .with_customer(et_customer());
    s.result(
        "ET create_payment (declined)",
        c.create_payment(&request, &o).await,
    );

    // A V1 SEPA direct debit, settled by the bank.
    let iban = Iban::parse(IBAN_ET_DEBIT).unwrap();
    s.both("ET Iban", &iban);
    let request = CreatePayment::new(
        eur(4200),
        reference("leak-et-sdd"),
        PaymentMethod::SepaDirectDebit {
            iban,
            account_holder: "Ana Silva".to_owned(),
            mandate: None,
        },
    )
    .unwrap()
    .with_customer(et_customer());
    s.debug("ET CreatePayment (SEPA)", &request);
    if let Some(debit) = s.result(
        "ET create_payment (SEPA)",
        c.create_payment(&request, &o).await,
    ) {
        let tid = debit.id.clone().unwrap();
        server
            .provider()
            .settle_debit(&ctx(), tid.as_str())
            .unwrap();
        s.result(
            "ET get_payment (SEPA settled)",
            c.get_payment(&tid, &o).await,
        );
    }

    // A V2 mandate and a debit on it, through the V2 token.
    let mandate = CreateMandate::new(
        reference("leak-et-mandate"),
        Iban::parse(IBAN_ET_MANDATE).unwrap(),
        "Ana Silva",
    )
    .unwrap();
    s.debug("ET CreateMandate", &mandate);
    let created = s
        .result("ET create_mandate", c.create_mandate(&mandate, &o).await)
        .unwrap();
    s.result("ET get_mandate", c.get_mandate(&created.id, &o).await);
    let debit =
        MandateDebit::new(created.id.clone(), eur(1500), reference("leak-et-mdebit")).unwrap();
    s.debug("ET MandateDebit", &debit);
    s.result("ET debit_mandate", c.debit_mandate(&debit, &o).await);
    let token = c.auth().token(&o).await.unwrap();
    s.debug("ET V2 token (SecretString)", &token);
    let jwt = token.expose_secret().to_owned();
    learnt.token("Easytransac V2 JWT", &jwt);
    if let Some(signature) = jwt.rsplit('.').next().filter(|p| p.len() >= 16) {
        learnt.token("Easytransac V2 JWT signature", signature);
    }
    if let Some(payload) = jwt.split('.').nth(1).filter(|p| p.len() >= 16) {
        learnt.token("Easytransac V2 JWT payload", payload);
    }

    // Instalments and a hosted page.
    let plan = CreateInstalments::new(
        eur(9000),
        3,
        reference("leak-et-inst"),
        card(CARD_PLAIN),
        Interval::Monthly,
    )
    .unwrap()
    .with_customer(et_customer());
    s.debug("ET CreateInstalments", &plan);
    s.result(
        "ET create_instalments",
        c.create_instalments(&plan, &o).await,
    );
    let page = CreatePayment::new(
        eur(1999),
        reference("leak-et-page"),
        PaymentMethod::HostedPage,
    )
    .unwrap()
    .with_customer(et_customer());
    s.result(
        "ET create_payment (hosted page)",
        c.create_payment(&page, &o).await,
    );

    // Every notification queued so far: verified, then parsed; a tampered one refused.
    for pending in server.webhooks().pending() {
        let raw = raw_of(pending.notification());
        s.debug("ET RawWebhook", &raw);
        learnt.notifications += 1;
        match c.verify(&raw) {
            Ok(verified) => {
                s.debug("ET VerifiedWebhook", &verified);
                if let Ok(n) = pay_easytransac::parse_notification(&verified) {
                    s.debug("ET V1Notification", &n);
                }
                s.result("ET parse", c.parse(&verified));
            }
            Err(err) => s.error("ET verify", &err),
        }
        let mut body = pending.notification().body().to_vec();
        body.extend_from_slice(b"&Amount=1.00");
        let tampered = RawWebhook::new(
            pending.notification().headers().to_vec(),
            body,
            from_unix_seconds(1_700_000_000),
        );
        s.failure("ET verify (tampered)", c.verify(&tampered));
    }

    // Errors: a refused request, a provider validation error, wrong keys, faults.
    let request =
        CreatePayment::new(eur(1500), reference("leak-et-noip"), card(CARD_PLAIN)).unwrap();
    s.failure(
        "ET create_payment without IP",
        c.create_payment(&request, &o).await,
    );
    let bad = et_wire::V1DirectPaymentRequest::new(
        pay_core::wire::MinorUnits(100),
        "4111111111111112".to_owned(),
        "11".to_owned(),
        "2031".to_owned(),
        CVV.to_owned(),
        "192.0.2.10".to_owned(),
    );
    s.debug("ET V1DirectPaymentRequest", &bad);
    s.failure(
        "ET direct (bad Luhn, refused by the provider)",
        c.payments().direct(&bad, &o).await,
    );
    let wrong = EasytransacClient::builder(SecretString::from(ET_WRONG_KEY))
        .base_url(server.base_url())
        .clock(Arc::new(clock.clone()))
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    s.debug("ET client (wrong key)", &wrong);
    s.failure(
        "ET get_payment (wrong key)",
        wrong.get_payment(&paid_id, &o).await,
    );
    s.failure(
        "ET create_mandate (wrong key)",
        wrong.create_mandate(&mandate, &o).await,
    );
    server
        .faults()
        .on(Route::new("POST", "/api/payment/status"))
        .then(Fault::status(503))
        .then_repeat_last();
    s.failure("ET get_payment (503)", c.get_payment(&paid_id, &o).await);
    server
        .faults()
        .on(Route::new("POST", "/api/payment/direct"))
        .then(Fault::AppliedThenLost)
        .then_normal();
    let request = CreatePayment::new(eur(3300), reference("leak-et-lost"), card(CARD_PLAIN))
        .unwrap()
        .with_customer(et_customer());
    s.failure(
        "ET create_payment (answer lost)",
        c.create_payment(&request, &o).await,
    );
    server
        .faults()
        .on(Route::new("POST", "/api/payment/refund"))
        .then(Fault::MalformedBody)
        .then_normal();
    s.failure(
        "ET refund (malformed answer)",
        c.refund(&RefundRequest::full(paid_id.clone()), &o).await,
    );
    learnt.errors += 9;

    // What the fake recorded, for completeness (pay-testkit's redaction).
    for recorded in server.requests() {
        s.debug("ET fake request log", &recorded);
    }
}

async fn easypay(s: &mut Surfaces, learnt: &mut Learnt) {
    let clock = ManualClock::new(from_unix_seconds(1_700_000_000));
    let fake_config = EasypayConfig::new(EP_ACCOUNT, EP_API_KEY)
        .with_out_payment_key(RSA_PUBLIC_PEM)
        .unwrap()
        .with_generic_url("http://127.0.0.1:9/generic")
        .with_authorisation_url("http://127.0.0.1:9/authorisation")
        .with_transaction_url("http://127.0.0.1:9/transaction")
        .with_notification_credentials(HOOK_USER, HOOK_PASSWORD);
    s.debug("Easypay fake config", &fake_config);
    let server = FakeServer::builder()
        .clock(clock.clone())
        .start(EasypayFake::new(fake_config))
        .await
        .unwrap();
    let account = AccountId::new(EP_ACCOUNT);
    let api_key = ApiKey::new(EP_API_KEY);
    s.debug("Easypay AccountId", &account);
    s.debug("Easypay ApiKey", &api_key);
    let auth = NotificationAuth::basic(HOOK_USER, HOOK_PASSWORD);
    s.debug("Easypay NotificationAuth", &auth);
    let pem = SecretString::from(RSA_PRIVATE_PEM);
    let signing_key = pay_signing::easypay::RsaSigningKey::from_pem(&pem).unwrap();
    s.debug("RsaSigningKey", &signing_key);
    let builder = EasypayClient::builder(account, api_key)
        .base_url(server.url("/2.0"))
        .clock(Arc::new(clock.clone()))
        .retry_policy(fast_retries())
        .notification_auth(auth)
        .out_payment_key_pem(&pem)
        .unwrap();
    s.debug("Easypay client builder", &builder);
    let client = builder.build().unwrap();
    s.debug("Easypay client", &client);
    let c = &client;
    let o = CallOptions::new();
    let ctx = || Context::new(&clock, server.webhooks(), server.base_url());

    // MB WAY: authorise, the customer approves, capture, partial refund.
    let phone = Phone::new("+351", PHONE_PENDING).unwrap();
    let request = CreatePayment::new(
        eur(1999),
        reference("leak-ep-mbway"),
        PaymentMethod::MbWay { phone },
    )
    .unwrap()
    .with_customer(ep_customer())
    .authorize_only();
    s.debug("EP CreatePayment (MB WAY)", &request);
    let mbway = s
        .result(
            "EP create_payment (MB WAY)",
            c.create_payment(&request, &o).await,
        )
        .unwrap();
    let mbway_id = mbway.id.clone().unwrap();
    server
        .provider()
        .approve_mbway(&ctx(), mbway_id.as_str())
        .unwrap();
    s.result(
        "EP capture",
        c.capture(&CaptureRequest::full(mbway_id.clone()), &o).await,
    );
    s.result(
        "EP refund",
        c.refund(
            &RefundRequest::partial(mbway_id.clone(), eur(500)).unwrap(),
            &o,
        )
        .await,
    );
    s.result(
        "EP get_payment (MB WAY)",
        c.get_payment(&mbway_id, &o).await,
    );

    // Multibanco, paid; refunded to a bank account.
    let request = CreatePayment::new(
        eur(3500),
        reference("leak-ep-mb"),
        PaymentMethod::Multibanco,
    )
    .unwrap();
    let mb = s
        .result(
            "EP create_payment (Multibanco)",
            c.create_payment(&request, &o).await,
        )
        .unwrap();
    let mb_id = mb.id.clone().unwrap();
    server
        .provider()
        .pay_multibanco(&ctx(), mb_id.as_str())
        .unwrap();
    let account = RefundAccount::new(Iban::parse(IBAN_EP_REFUND).unwrap(), "Rui Costa")
        .unwrap()
        .with_email(Email::parse("rui.costa@example.org").unwrap());
    s.debug("EP RefundAccount", &account);
    let refund = RefundRequest::partial(mb_id.clone(), eur(1000))
        .unwrap()
        .to_account(account);
    s.debug("EP RefundRequest (to an account)", &refund);
    s.result("EP refund (to an account)", c.refund(&refund, &o).await);

    // A card typed into Easypay's form (the SDK never sees it; the fake does).
    let request = CreatePayment::new(eur(2100), reference("leak-ep-cc"), PaymentMethod::CardForm)
        .unwrap()
        .with_customer(ep_customer());
    let form = s
        .result(
            "EP create_payment (card form)",
            c.create_payment(&request, &o).await,
        )
        .unwrap();
    let form_id = form.id.clone().unwrap();
    server
        .provider()
        .enter_card(&ctx(), form_id.as_str(), CARD_FORM)
        .unwrap();
    s.result("EP get_payment (card)", c.get_payment(&form_id, &o).await);

    // A SEPA direct debit with its mandate.
    let request = CreatePayment::new(
        eur(4200),
        reference("leak-ep-dd"),
        PaymentMethod::SepaDirectDebit {
            iban: Iban::parse(IBAN_EP_DEBIT).unwrap(),
            account_holder: "Rui Costa".to_owned(),
            mandate: None,
        },
    )
    .unwrap()
    .with_customer(ep_customer());
    s.debug("EP CreatePayment (SEPA)", &request);
    s.result(
        "EP create_payment (SEPA)",
        c.create_payment(&request, &o).await,
    );

    // A hosted checkout: the session is a secret handed to the front end.
    let request = CreatePayment::new(
        eur(1230),
        reference("leak-ep-checkout"),
        PaymentMethod::HostedPage,
    )
    .unwrap()
    .with_customer(ep_customer());
    if let Some(checkout) = s.result(
        "EP create_payment (checkout)",
        c.create_payment(&request, &o).await,
    ) && let NextAction::ClientSession { session, .. } = &checkout.next_action
    {
        learnt.token("Easypay checkout session", session.expose_secret());
        s.debug("EP SessionToken", session);
    }

    // An out-payment, signed with the test RSA key.
    let mut payout = CreatePayout::new(
        eur(1700),
        reference("leak-ep-payout"),
        Iban::parse(IBAN_EP_PAYOUT).unwrap(),
        "Bea Costa",
    )
    .unwrap();
    payout.beneficiary_email = Email::parse("bea@example.org").ok();
    payout.beneficiary_phone = Phone::new("+351", "912345678").ok();
    s.debug("EP CreatePayout", &payout);
    if let Some(made) = s.result("EP create_payout", c.create_payout(&payout, &o).await) {
        s.result("EP get_payout", c.get_payout(&made.id, &o).await);
    }

    // Typed calls: lists, reports, the account's configuration.
    s.result(
        "EP single list",
        c.single()
            .list(&ep_wire::SingleListQuery::default(), &o)
            .await,
    );
    s.result(
        "EP capture list",
        c.captures()
            .list(&ep_wire::CaptureListQuery::default(), &o)
            .await,
    );
    s.result(
        "EP out-payment list",
        c.out_payments()
            .list(&ep_wire::OutPaymentListQuery::default(), &o)
            .await,
    );
    s.result("EP account configuration", c.config().get(&o).await);
    s.result(
        "EP transactions report",
        c.reports()
            .transactions(&ep_wire::ReportTransactionsQuery::default(), &o)
            .await,
    );

    // Every notification: verified with the Basic credentials, parsed, confirmed.
    for pending in server.webhooks().pending() {
        let raw = raw_of(pending.notification());
        s.debug("EP RawWebhook", &raw);
        learnt.notifications += 1;
        match c.verify(&raw) {
            Ok(verified) => {
                s.debug("EP VerifiedWebhook", &verified);
                if let Some(event) = s.result("EP parse", c.parse(&verified)) {
                    s.result("EP confirm", c.confirm(&event, &o).await);
                }
            }
            Err(err) => s.error("EP verify", &err),
        }
    }
    let forged = RawWebhook::new(
        vec![(
            "authorization".to_owned(),
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{HOOK_USER}:wrong-{HOOK_PASSWORD}"))
            ),
        )],
        br#"{"id":"forged","key":"k","type":"capture","status":"success","messages":[]}"#.to_vec(),
        from_unix_seconds(1_700_000_000),
    );
    s.failure("EP verify (wrong credentials)", c.verify(&forged));

    // Errors: declined, refused before sending, wrong key, unknown id, faults.
    let request = CreatePayment::new(
        eur(1100),
        reference("leak-ep-declined"),
        PaymentMethod::MbWay {
            phone: Phone::new("+351", PHONE_DECLINED).unwrap(),
        },
    )
    .unwrap();
    s.result(
        "EP create_payment (declined)",
        c.create_payment(&request, &o).await,
    );
    let usd = CreatePayment::new(
        Money::from_minor(1999, Currency::USD).unwrap(),
        reference("leak-ep-usd"),
        PaymentMethod::Multibanco,
    )
    .unwrap();
    s.failure("EP create_payment (USD)", c.create_payment(&usd, &o).await);
    let wrong = EasypayClient::builder(AccountId::new(EP_ACCOUNT), ApiKey::new(EP_WRONG_API_KEY))
        .base_url(server.url("/2.0"))
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    s.debug("EP client (wrong key)", &wrong);
    s.failure(
        "EP get_payment (wrong key)",
        wrong.get_payment(&mbway_id, &o).await,
    );
    s.failure(
        "EP get_payment (unknown)",
        c.get_payment(
            &ProviderPaymentId::new("3f1c9a7e-0000-4000-8000-000000000000").unwrap(),
            &o,
        )
        .await,
    );
    s.failure(
        "EP refund (more than captured)",
        c.refund(
            &RefundRequest::partial(mbway_id.clone(), eur(900_000)).unwrap(),
            &o,
        )
        .await,
    );
    server
        .faults()
        .on(Route::operation("single_get"))
        .then(Fault::status(503))
        .then_repeat_last();
    s.failure("EP get_payment (503)", c.get_payment(&mbway_id, &o).await);
    server
        .faults()
        .on(Route::new("POST", "/2.0/out_payment"))
        .then(Fault::status(500))
        .then_normal();
    let mut payout = CreatePayout::new(
        eur(800),
        reference("leak-ep-payout-500"),
        Iban::parse(IBAN_EP_PAYOUT).unwrap(),
        "Bea Costa",
    )
    .unwrap();
    payout.beneficiary_email = Email::parse("bea@example.org").ok();
    payout.beneficiary_phone = Phone::new("+351", "912345678").ok();
    s.failure("EP create_payout (500)", c.create_payout(&payout, &o).await);
    learnt.errors += 7;

    for recorded in server.requests() {
        s.debug("EP fake request log", &recorded);
    }
}

/// The facade's configuration, read from a lookup, its errors, and the providers it
/// connects.
fn configuration(s: &mut Surfaces) {
    use pay::{Config, Lookup};
    let vars = |name: &str| match name {
        "PAY_PROVIDER" => Lookup::Value("easypay".to_owned()),
        "EASYPAY_ACCOUNT_ID" => Lookup::Value(EP_ACCOUNT.to_owned()),
        "EASYPAY_API_KEY" => Lookup::Value(EP_API_KEY.to_owned()),
        "EASYPAY_NOTIFICATION_USER" => Lookup::Value(HOOK_USER.to_owned()),
        "EASYPAY_NOTIFICATION_PASSWORD" => Lookup::Value(HOOK_PASSWORD.to_owned()),
        _ => Lookup::Missing,
    };
    let config = Config::from_lookup(vars).unwrap();
    s.debug("pay::Config (Easypay)", &config);
    let provider = config.connect().unwrap();
    s.debug("pay::Config::connect (Easypay)", &provider);
    let config = Config::from_lookup(|name| match name {
        "PAY_PROVIDER" => Lookup::Value("easytransac".to_owned()),
        "EASYTRANSAC_API_KEY" => Lookup::Value(ET_KEY.to_owned()),
        _ => Lookup::Missing,
    })
    .unwrap();
    s.debug("pay::Config (Easytransac)", &config);
    let provider = config.connect().unwrap();
    s.debug("pay::Config::connect (Easytransac)", &provider);
    s.debug("pay::Lookup", &Lookup::Value(EP_API_KEY.to_owned()));
    // Malformed values: the error names the variable, never the value.
    let refused = Config::from_lookup(|name| match name {
        "PAY_PROVIDER" => Lookup::Value("easypay".to_owned()),
        "EASYPAY_ACCOUNT_ID" => Lookup::Value(format!("{EP_ACCOUNT}\n")),
        "EASYPAY_API_KEY" => Lookup::Value(format!("{EP_API_KEY}\r\n")),
        "EASYPAY_NOTIFICATION_PASSWORD" => Lookup::Value(HOOK_PASSWORD.to_owned()),
        _ => Lookup::Missing,
    });
    if let Err(err) = &refused {
        s.both("pay::ConfigError", err);
    }
    let refused = Config::from_lookup(|name| match name {
        "PAY_PROVIDER" => Lookup::Value("easypay".to_owned()),
        "EASYPAY_ACCOUNT_ID" => Lookup::Value(EP_ACCOUNT.to_owned()),
        "EASYPAY_API_KEY" => Lookup::Value(EP_API_KEY.to_owned()),
        "EASYPAY_NOTIFICATION_PASSWORD" => Lookup::Value(HOOK_PASSWORD.to_owned()),
        _ => Lookup::Missing,
    });
    if let Err(err) = &refused {
        s.both("pay::ConfigError (companion)", err);
    }
    let settings = pay::EasypaySettings::new(
        SecretString::from(EP_ACCOUNT),
        SecretString::from(EP_API_KEY),
    )
    .out_payment_key_pem(SecretString::from(RSA_PRIVATE_PEM));
    s.debug("pay::EasypaySettings", &settings);
    s.debug(
        "pay::EasytransacSettings",
        &pay::EasytransacSettings::new(SecretString::from(ET_KEY)),
    );
    // The secret newtypes on their own.
    let number = CardNumber::new(CARD_PLAIN).unwrap();
    s.debug("CardNumber", &number);
    s.push("CardNumber::masked".to_owned(), number.masked());
    let cvv = Cvv::new(CVV).unwrap();
    s.debug("Cvv", &cvv);
    let details = CardDetails::new(number, CardExpiry::new(11, 2031).unwrap(), cvv);
    s.debug("CardDetails", &details);
    s.debug("PaymentMethod::Card", &PaymentMethod::Card(details));
    for iban in [
        IBAN_ET_MANDATE,
        IBAN_ET_DEBIT,
        IBAN_EP_DEBIT,
        IBAN_EP_PAYOUT,
        IBAN_EP_REFUND,
    ] {
        let parsed = Iban::parse(&group(iban, " ")).unwrap();
        s.both("Iban", &parsed);
        s.push("Iban::masked".to_owned(), parsed.masked());
    }
    let token = CardToken::new("alias-leak-suite-73kq").unwrap();
    s.debug(
        "SavedCard",
        &SavedCard::new(token.clone()).with_last4("0136"),
    );
    s.debug(
        "SessionToken",
        &SessionToken::new("session-leak-suite-5mzp").unwrap(),
    );
    s.debug("SecretString", &SecretString::from(ET_KEY));
}

#[test]
fn no_secret_in_logs_debug_or_display_across_both_providers() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut surfaces = Surfaces::default();
    let mut learnt = Learnt::default();
    let ((), logs) = capture_at_trace(|| {
        runtime.block_on(async {
            easytransac(&mut surfaces, &mut learnt).await;
            easypay(&mut surfaces, &mut learnt).await;
        });
        configuration(&mut surfaces);
    });

    // The haystack is real: the flows ran, were logged, and showed their masked forms.
    assert!(
        logs.contains("pay.attempt"),
        "tracing reached the transport"
    );
    assert!(
        logs.lines().count() > 200,
        "{} log lines",
        logs.lines().count()
    );
    let everything: String = surfaces.items.iter().map(|(_, t)| t.as_str()).collect();
    assert!(everything.contains("*0136"), "a card's mask is shown");
    assert!(
        everything.contains("**** 2606") || everything.contains("**** 0154"),
        "an IBAN's mask is shown"
    );
    assert!(
        learnt.notifications >= 6,
        "{} notifications",
        learnt.notifications
    );
    assert!(
        learnt
            .secrets
            .iter()
            .any(|s| s.name == "Easytransac V2 JWT"),
        "the V2 token was read"
    );
    assert!(
        learnt
            .secrets
            .iter()
            .any(|s| s.name == "Easytransac card alias"),
        "a card was saved"
    );
    assert!(
        learnt
            .secrets
            .iter()
            .any(|s| s.name == "Easypay checkout session"),
        "a checkout session was opened"
    );

    let mut secrets = static_secrets();
    secrets.extend(learnt.secrets);
    let mut all = surfaces.items;
    for (i, line) in logs.lines().enumerate() {
        all.push((format!("TRACE log line {}", i + 1), line.to_owned()));
    }
    let leaks = scan(&all, &secrets);
    report(&leaks);
    println!(
        "secret-leak suite: {} surfaces ({} log lines), {} secrets in {} encodings, {} notifications, {} provoked errors: {} leak(s)",
        all.len(),
        logs.lines().count(),
        secrets.len(),
        secrets.iter().map(|s| s.needles().len()).sum::<usize>(),
        learnt.notifications,
        learnt.errors,
        leaks.len()
    );
    assert!(
        leaks.is_empty(),
        "{} secret leak(s); see the report above",
        leaks.len()
    );
}

/// The scanner finds each encoding it claims to: a suite that cannot fail proves nothing.
#[test]
fn the_scanner_finds_every_encoding_it_claims() {
    for (kind, value) in [
        (Kind::Text, ET_KEY),
        (Kind::Card, CARD_PLAIN),
        (Kind::Iban, IBAN_ET_MANDATE),
    ] {
        let secret = Secret::new("planted", value, kind);
        for (encoding, needle) in secret.needles() {
            let surfaces = vec![("planted".to_owned(), format!("x {needle} y"))];
            assert!(
                !scan(&surfaces, std::slice::from_ref(&secret)).is_empty(),
                "{kind:?} {encoding} not found"
            );
        }
    }
    let cvv = Secret::new("CVV", CVV, Kind::Cvv);
    for line in [
        format!("CardCVV={CVV}"),
        format!("cvv: {CVV}"),
        format!("{{\"cvv\":\"{CVV}\"}}"),
        format!("Cvv(\"{CVV}\")"),
    ] {
        assert!(!cvv.found_in(&line).is_empty(), "{line}");
    }
    // Masks are not leaks.
    let card = Secret::new("card", CARD_PLAIN, Kind::Card);
    assert!(card.found_in("************0136").is_empty());
    let iban = Secret::new("iban", IBAN_ET_MANDATE, Kind::Iban);
    assert!(iban.found_in("FR14 **** 2606").is_empty());
    assert!(cvv.found_in("port 10735, cvv: ***").is_empty());
}
