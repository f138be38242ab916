//! The notifications `pay trigger` can send: every documented event of both providers,
//! built with realistic fields and signed (Easytransac) or authenticated (Easypay) exactly
//! as the provider does.
//!
//! Easytransac PUSH notifications are the `DoneTransaction` fields, flat, `Client[...]`
//! nested, plus a `Signature` over every field (`pay_signing::easytransac::sign`), as a
//! form (what the official SDK reads) or JSON (what the PUSH page describes). Easypay's
//! three notifications (generic, authorisation, transaction) are JSON, unsigned, with
//! `Authorization: Basic` credentials, the only authentication its scheme has.
//!
//! Sub-account, KYC document and card-added notifications are listed by Easytransac
//! without their fields, so they are not built (see [`UNDOCUMENTED`]).

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use pay::testkit::form;
use pay_signing::easytransac::{Params, sign};
use secrecy::{ExposeSecret, SecretString};

use crate::Provider;

/// One event `pay trigger` can send.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Event {
    /// Its provider.
    pub(crate) provider: Provider,
    /// The name given on the command line.
    pub(crate) name: &'static str,
    /// One line about it.
    pub(crate) about: &'static str,
    kind: Kind,
}

impl Event {
    /// Whether `--failed` applies: Easypay's generic notifications carry a status.
    pub(crate) fn takes_failed(&self) -> bool {
        matches!(self.kind, Kind::EasypayGeneric(_))
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Easytransac(EtShape),
    EasypayGeneric(&'static str),
    EasypayAuthorisation,
    EasypayTransaction,
}

/// What an Easytransac notification says, beyond the common fields.
#[derive(Debug, Clone, Copy)]
struct EtShape {
    status: &'static str,
    method: EtMethod,
    extra: EtExtra,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EtMethod {
    Card,
    Debit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EtExtra {
    None,
    PreAuth,
    ThreeDsPending,
    Declined,
    Refunded,
    PartlyRefunded,
    Chargeback,
    Representment,
    Rebill,
    Instalment,
    DebitRejected,
}

const fn et(
    name: &'static str,
    about: &'static str,
    status: &'static str,
    method: EtMethod,
    extra: EtExtra,
) -> Event {
    Event {
        provider: Provider::Easytransac,
        name,
        about,
        kind: Kind::Easytransac(EtShape {
            status,
            method,
            extra,
        }),
    }
}

const fn ep_generic(name: &'static str, about: &'static str, kind: &'static str) -> Event {
    Event {
        provider: Provider::Easypay,
        name,
        about,
        kind: Kind::EasypayGeneric(kind),
    }
}

/// Every event, Easytransac's first.
pub(crate) const EVENTS: &[Event] = &[
    et(
        "payment.captured",
        "card payment captured (Status=captured)",
        "captured",
        EtMethod::Card,
        EtExtra::None,
    ),
    et(
        "payment.authorized",
        "card pre-authorisation held, to capture later (Status=authorized, PreAuth=yes)",
        "authorized",
        EtMethod::Card,
        EtExtra::PreAuth,
    ),
    et(
        "payment.pending",
        "card payment waiting for 3-D Secure (Status=pending, 3DSecure=yes)",
        "pending",
        EtMethod::Card,
        EtExtra::ThreeDsPending,
    ),
    et(
        "payment.failed",
        "card payment declined (Status=failed, Error, AdditionalError)",
        "failed",
        EtMethod::Card,
        EtExtra::Declined,
    ),
    et(
        "payment.refunded",
        "payment refunded in full (Status=refunded, AmountRefund, DateRefund)",
        "refunded",
        EtMethod::Card,
        EtExtra::Refunded,
    ),
    et(
        "payment.partially_refunded",
        "half the payment refunded (Status=captured, AmountRefund)",
        "captured",
        EtMethod::Card,
        EtExtra::PartlyRefunded,
    ),
    et(
        "payment.chargeback",
        "chargeback opened (OperationType=chargeback, DateChargeback)",
        "captured",
        EtMethod::Card,
        EtExtra::Chargeback,
    ),
    et(
        "payment.representment",
        "chargeback contested (DateChargeback, DateRepresentment)",
        "captured",
        EtMethod::Card,
        EtExtra::Representment,
    ),
    et(
        "rebill.captured",
        "subscription charge number 2 (Rebill=yes, RebillCount, OriginalPaymentTid)",
        "captured",
        EtMethod::Card,
        EtExtra::Rebill,
    ),
    et(
        "instalment.captured",
        "instalment 2 of 3 (MultiplePayments=yes, MultiplePaymentsCount, OriginalPaymentTid)",
        "captured",
        EtMethod::Card,
        EtExtra::Instalment,
    ),
    et(
        "debit.captured",
        "SEPA direct debit settled (PaymentMethod=SDD, Status=captured)",
        "captured",
        EtMethod::Debit,
        EtExtra::None,
    ),
    et(
        "debit.failed",
        "SEPA direct debit rejected by the bank (PaymentMethod=SDD, Status=failed)",
        "failed",
        EtMethod::Debit,
        EtExtra::DebitRejected,
    ),
    ep_generic(
        "generic.authorisation",
        "generic: a single or frequent payment authorised",
        "authorisation",
    ),
    ep_generic(
        "generic.capture",
        "generic: a capture (a sale, or an authorisation captured)",
        "capture",
    ),
    ep_generic(
        "generic.frequent_create",
        "generic: a frequent payment set up",
        "frequent_create",
    ),
    ep_generic("generic.void", "generic: an authorisation voided", "void"),
    ep_generic("generic.refund", "generic: a refund", "refund"),
    ep_generic(
        "generic.chargeback",
        "generic: a chargeback on a payment",
        "chargeback",
    ),
    ep_generic(
        "generic.subscription_create",
        "generic: a subscription set up",
        "subscription_create",
    ),
    ep_generic(
        "generic.subscription_capture",
        "generic: a subscription charge",
        "subscription_capture",
    ),
    ep_generic(
        "generic.out_payment",
        "generic: an out-payment (SEPA payout)",
        "out_payment",
    ),
    Event {
        provider: Provider::Easypay,
        name: "authorisation",
        about: "authorisation notification: a payment reached the authorised state",
        kind: Kind::EasypayAuthorisation,
    },
    Event {
        provider: Provider::Easypay,
        name: "transaction",
        about: "transaction notification: a payment captured, with its values and fees",
        kind: Kind::EasypayTransaction,
    },
];

/// Events the providers name without documenting their fields, so none is built.
pub(crate) const UNDOCUMENTED: &[(Provider, &str)] = &[
    (
        Provider::Easytransac,
        "card added, sub-account status and KYC document status: listed as webhook \
         triggers, fields undocumented",
    ),
    (
        Provider::Easypay,
        "generic `status` values other than success and failed: none documented \
         (use --failed for failed)",
    ),
];

/// The event called `name` of `provider`.
pub(crate) fn find(provider: Provider, name: &str) -> Option<&'static Event> {
    EVENTS
        .iter()
        .find(|e| e.provider == provider && e.name == name)
}

/// Every event name, for the command line's completion.
pub(crate) fn names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = EVENTS.iter().map(|e| e.name).collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The body encoding of an Easytransac notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `application/json`.
    Json,
}

/// How the notification is authenticated.
pub(crate) enum Credentials {
    /// Easytransac's API key, which signs.
    EasytransacKey(SecretString),
    /// Easypay's Basic credentials.
    EasypayBasic {
        /// The user name.
        user: String,
        /// The password.
        password: SecretString,
    },
}

/// Which rehearsal a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variant {
    /// As the provider sends it: the app must accept it.
    Genuine,
    /// The same bytes again: the app must accept it and act once.
    Duplicate,
    /// Changed after signing (Easytransac) or with credentials that do not match
    /// (Easypay): the app must refuse it.
    Tampered,
    /// Without signature or credentials: the app must refuse it.
    Unsigned,
}

impl Variant {
    /// As JSON output names it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Variant::Genuine => "genuine",
            Variant::Duplicate => "duplicate",
            Variant::Tampered => "tampered",
            Variant::Unsigned => "unsigned",
        }
    }

    /// Whether the app must accept it (answer 2xx).
    pub(crate) fn must_accept(self) -> bool {
        matches!(self, Variant::Genuine | Variant::Duplicate)
    }
}

/// The values a notification carries.
#[derive(Debug, Clone)]
pub(crate) struct Values {
    /// The amount in major units, exact decimal text (`29.99`).
    pub(crate) amount: String,
    /// The merchant's reference (`OrderId`, Easypay's `key`).
    pub(crate) reference: String,
    /// Easypay generic notifications: `failed` instead of `success`.
    pub(crate) failed: bool,
    /// Easytransac: form or JSON.
    pub(crate) encoding: Encoding,
}

/// The ids a notification names, drawn once so its duplicate, tampered and unsigned
/// copies name the same transaction.
#[derive(Debug, Clone)]
pub(crate) struct Ids([String; 4]);

impl Ids {
    /// Fresh random ids.
    pub(crate) fn fresh() -> Self {
        Self(std::array::from_fn(|_| uuid::Uuid::new_v4().to_string()))
    }

    /// An Easytransac-style id (8 upper-case hex digits) from id number `n`.
    fn tid(&self, n: usize) -> String {
        self.0[n]
            .chars()
            .take(8)
            .collect::<String>()
            .to_ascii_uppercase()
    }

    /// A UUID, id number `n`.
    fn uuid(&self, n: usize) -> String {
        self.0[n].clone()
    }
}

/// A notification ready to send: exact bytes and headers. Its `Debug` shows header
/// names only, never their values (the credentials).
#[derive(Clone)]
pub(crate) struct Built {
    /// Header name and value pairs (credentials included).
    pub(crate) headers: Vec<(String, String)>,
    /// The body, as sent.
    pub(crate) body: Vec<u8>,
    /// The resource id it names (`Tid`, Easypay's `id`).
    pub(crate) id: String,
    /// One line about what it says, without secrets.
    pub(crate) summary: String,
    /// What the tampering changed, when tampered.
    pub(crate) tampering: Option<String>,
}

impl std::fmt::Debug for Built {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Built")
            .field("headers", &header_names(&self.headers))
            .field("body_len", &self.body.len())
            .field("id", &self.id)
            .field("summary", &self.summary)
            .field("tampering", &self.tampering)
            .finish()
    }
}

/// The names of `headers`, their values (credentials among them) left out.
pub(crate) fn header_names(headers: &[(String, String)]) -> Vec<&str> {
    headers.iter().map(|(name, _)| name.as_str()).collect()
}

/// Exact decimal text of `minor` cents.
pub(crate) fn cents_text(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Cents of decimal amount text (at most two places, positive), exactly.
///
/// # Errors
/// The text is not such an amount.
pub(crate) fn parse_cents(text: &str) -> Result<i64, String> {
    let money = pay::Money::parse_major(text, pay::Currency::EUR)
        .map_err(|e| format!("--amount `{text}`: {e}"))?;
    let minor = money.minor_units();
    if minor <= 0 {
        return Err(format!("--amount `{text}` must be more than zero"));
    }
    Ok(minor)
}

/// `YYYY-MM-DD HH:MM:SS` (and the ISO form) of `at`, UTC.
fn dates(at: SystemTime) -> (String, String) {
    let secs = at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    (
        format!("{year:04}-{month:02}-{day:02} {h:02}:{m:02}:{s:02}"),
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z"),
    )
}

/// Builds `event` with `values`, authenticated with `credentials`, as `variant`.
///
/// # Errors
/// The credentials are for the other provider, or the fields cannot be signed.
pub(crate) fn build(
    event: &Event,
    values: &Values,
    credentials: &Credentials,
    variant: Variant,
    ids: &Ids,
) -> Result<Built, String> {
    match (event.kind, credentials) {
        (Kind::Easytransac(shape), Credentials::EasytransacKey(key)) => {
            easytransac(shape, values, key, variant, ids)
        }
        (Kind::Easytransac(_), _) => Err("Easytransac notifications need an API key".to_owned()),
        (kind, Credentials::EasypayBasic { user, password }) => {
            easypay(kind, values, user, password, variant, ids)
        }
        (_, Credentials::EasytransacKey(_)) => {
            Err("Easypay notifications need Basic credentials".to_owned())
        }
    }
}

fn easytransac(
    shape: EtShape,
    values: &Values,
    key: &SecretString,
    variant: Variant,
    ids: &Ids,
) -> Result<Built, String> {
    let cents = parse_cents(&values.amount)?;
    let amount = cents_text(cents);
    let tid = ids.tid(0);
    let (now, _) = dates(SystemTime::now());
    let card = shape.method == EtMethod::Card;
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: &str| pairs.push((k.to_owned(), v.to_owned()));
    put("NotificationType", "transaction");
    put("Currency", "EUR");
    put("Tid", &tid);
    put("Status", shape.status);
    let operation = match (shape.extra, shape.method) {
        (EtExtra::Chargeback | EtExtra::Representment, _) => "chargeback",
        (_, EtMethod::Debit) => "debit",
        (_, EtMethod::Card) => "payment",
    };
    put("OperationType", operation);
    put("PaymentMethod", if card { "CB" } else { "SDD" });
    put("Date", &now);
    put("Amount", &amount);
    let message = match shape.extra {
        EtExtra::Declined | EtExtra::DebitRejected => "Payment failed",
        EtExtra::ThreeDsPending => "Waiting for 3DSecure authentication",
        _ if shape.status == "authorized" => "Pre-authorisation accepted",
        _ => "Payment was successful",
    };
    put("Message", message);
    put(
        "3DSecure",
        if shape.extra == EtExtra::ThreeDsPending {
            "yes"
        } else {
            "no"
        },
    );
    put("OneClick", "no");
    put("Test", "yes");
    put("OrderId", &values.reference);
    if card {
        put("CardNumber", "************1111");
        put("CardMonth", "12");
        put("CardYear", "2030");
    }
    match shape.extra {
        EtExtra::None => {}
        EtExtra::PreAuth => put("PreAuth", "yes"),
        EtExtra::ThreeDsPending => put(
            "3DSecureUrl",
            &format!("https://secure.easytransac.com/3ds/{tid}"),
        ),
        EtExtra::Declined => {
            put("Error", "Insufficient funds");
            put("AdditionalError", "Do not honor");
        }
        EtExtra::DebitRejected => put("Error", "Debit rejected by the bank"),
        EtExtra::Refunded => {
            put("AmountRefund", &amount);
            put("DateRefund", &now);
        }
        EtExtra::PartlyRefunded => {
            put("AmountRefund", &cents_text(cents / 2));
            put("DateRefund", &now);
        }
        EtExtra::Chargeback => put("DateChargeback", &now),
        EtExtra::Representment => {
            put("DateChargeback", &now);
            put("DateRepresentment", &now);
        }
        EtExtra::Rebill => {
            put("Rebill", "yes");
            put("RebillStatus", "active");
            put("RebillRecurrence", "monthly");
            put("RebillCount", "2");
            put("OriginalPaymentTid", &ids.tid(1));
        }
        EtExtra::Instalment => {
            put("MultiplePayments", "yes");
            put("MultiplePaymentsStatus", "active");
            put("MultiplePaymentsRecurrence", "monthly");
            put("MultiplePaymentsRepeat", "3");
            put("MultiplePaymentsCount", "2");
            put("OriginalPaymentTid", &ids.tid(1));
        }
    }
    put("Client[Id]", "cl-1001");
    put("Client[Email]", "jeanne@example.org");
    put("Client[Firstname]", "Jeanne");
    put("Client[Lastname]", "Martin");

    let params = Params::from_form(&pairs).map_err(|e| format!("cannot sign: {e}"))?;
    let signature = sign(&params, key)
        .map_err(|e| format!("cannot sign: {e}"))?
        .into_string();
    let mut tampering = None;
    if variant == Variant::Tampered {
        // What an attacker changes: the amount, after the signature was computed.
        let forged = if cents == 100 { "2.00" } else { "1.00" };
        if let Some(pair) = pairs.iter_mut().find(|(k, _)| k == "Amount") {
            pair.1 = forged.to_owned();
        }
        tampering = Some(format!(
            "Amount changed from {amount} to {forged} after signing"
        ));
    }
    if variant != Variant::Unsigned {
        pairs.push(("Signature".to_owned(), signature));
    }
    let (content_type, body) = match values.encoding {
        Encoding::Form => (
            "application/x-www-form-urlencoded",
            form::encode(pairs.iter().map(|(k, v)| (k, v))),
        ),
        Encoding::Json => ("application/json", form_pairs_as_json(&pairs)),
    };
    let summary = format!(
        "Tid={tid} Status={} OperationType={operation} Amount={amount} OrderId={}",
        shape.status, values.reference
    );
    Ok(Built {
        headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
        body: body.into_bytes(),
        id: tid,
        summary,
        tampering,
    })
}

/// Form pairs as one JSON object of strings, `Name[Key]` nested one level, in order.
fn form_pairs_as_json(pairs: &[(String, String)]) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned());
    let mut out: Vec<String> = Vec::new();
    let mut nested: Vec<(String, Vec<String>)> = Vec::new();
    for (key, value) in pairs {
        match key.strip_suffix(']').and_then(|k| k.split_once('[')) {
            Some((outer, inner)) => {
                let entry = format!("{}:{}", quote(inner), quote(value));
                match nested.iter_mut().find(|(name, _)| name == outer) {
                    Some((_, entries)) => entries.push(entry),
                    None => nested.push((outer.to_owned(), vec![entry])),
                }
            }
            None => out.push(format!("{}:{}", quote(key), quote(value))),
        }
    }
    // Nested groups go before `Signature`, which stays last as the provider writes it.
    let signature = out
        .iter()
        .position(|e| e.starts_with("\"Signature\":"))
        .map(|at| out.remove(at));
    for (name, entries) in nested {
        out.push(format!("{}:{{{}}}", quote(&name), entries.join(",")));
    }
    out.extend(signature);
    format!("{{{}}}", out.join(","))
}

fn easypay(
    kind: Kind,
    values: &Values,
    user: &str,
    password: &SecretString,
    variant: Variant,
    ids: &Ids,
) -> Result<Built, String> {
    let cents = parse_cents(&values.amount)?;
    let amount = cents_text(cents);
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned());
    let id = ids.uuid(0);
    let (now, iso) = dates(SystemTime::now());
    let expiration = now.get(..16).unwrap_or_default().to_owned();
    let customer = format!("{{\"id\":{},\"phone\":\"911234567\"}}", quote(&ids.uuid(1)));
    let account = format!(
        "{{\"id\":{}}}",
        quote(pay::testkit::easypay::SANDBOX_ACCOUNT_ID)
    );
    let (body, summary) = match kind {
        Kind::EasypayGeneric(kind) => {
            let (status, message) = if values.failed {
                ("failed", "The operation failed")
            } else {
                ("success", "Your request was successfully processed")
            };
            (
                format!(
                    "{{\"id\":{},\"key\":{},\"type\":{},\"status\":{},\"messages\":[{}],\"date\":{}}}",
                    quote(&id),
                    quote(&values.reference),
                    quote(kind),
                    quote(status),
                    quote(message),
                    quote(&now)
                ),
                format!(
                    "id={id} type={kind} status={status} key={}",
                    values.reference
                ),
            )
        }
        Kind::EasypayAuthorisation => (
            // `value` is a JSON number here, written from the exact decimal text.
            format!(
                "{{\"id\":{},\"value\":{amount},\"currency\":\"EUR\",\"key\":{},\
                 \"expiration_time\":{},\"customer\":{customer},\"method\":\"MBW\",\
                 \"account\":{account},\"authorisation\":{{\"id\":{}}}}}",
                quote(&id),
                quote(&values.reference),
                quote(&expiration),
                quote(&ids.uuid(2))
            ),
            format!(
                "id={id} authorisation value={amount} key={}",
                values.reference
            ),
        ),
        Kind::EasypayTransaction => {
            let paid = quote(&amount);
            (
                format!(
                    "{{\"id\":{},\"value\":{paid},\"currency\":\"EUR\",\"key\":{},\
                     \"expiration_time\":{},\"method\":\"MBW\",\"customer\":{customer},\
                     \"account\":{account},\"transaction\":{{\"id\":{},\"key\":{},\
                     \"type\":\"capture\",\"date\":{},\"values\":{{\"requested\":{paid},\
                     \"paid\":{paid},\"fixed_fee\":\"0.00\",\"variable_fee\":\"0.00\",\
                     \"tax\":\"0.00\",\"transfer\":{paid}}}}}}}",
                    quote(&id),
                    quote(&values.reference),
                    quote(&expiration),
                    quote(&ids.uuid(2)),
                    quote(&values.reference),
                    quote(&iso)
                ),
                format!(
                    "id={id} transaction capture paid={amount} key={}",
                    values.reference
                ),
            )
        }
        Kind::Easytransac(_) => return Err("not an Easypay event".to_owned()),
    };
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    let mut tampering = None;
    match variant {
        Variant::Genuine | Variant::Duplicate => {
            headers.push((
                "Authorization".to_owned(),
                basic(user, password.expose_secret()),
            ));
        }
        Variant::Tampered => {
            // Easypay signs no body: what its scheme can refuse is credentials that do
            // not match, so that is what is forged.
            let forged = format!("{}-forged", password.expose_secret());
            headers.push(("Authorization".to_owned(), basic(user, &forged)));
            tampering = Some(
                "Authorization carries a password that is not the one given (Easypay signs no \
                 body, so credentials are what its scheme can refuse)"
                    .to_owned(),
            );
        }
        Variant::Unsigned => {}
    }
    Ok(Built {
        headers,
        body: body.into_bytes(),
        id,
        summary,
        tampering,
    })
}

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_text() {
        assert_eq!(parse_cents("29.99"), Ok(2999));
        assert_eq!(parse_cents("18"), Ok(1800));
        assert!(parse_cents("1.005").is_err());
        assert!(parse_cents("0").is_err());
        assert_eq!(cents_text(2999), "29.99");
        assert_eq!(cents_text(5), "0.05");
        assert_eq!(cents_text(1499), "14.99");
    }

    #[test]
    fn dates_are_civil() {
        let at = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        assert_eq!(
            dates(at),
            (
                "2023-11-14 22:13:20".to_owned(),
                "2023-11-14T22:13:20Z".to_owned()
            )
        );
    }

    #[test]
    fn json_keeps_the_client_nested_and_the_signature_last() {
        let pairs: Vec<(String, String)> = [
            ("Tid", "A"),
            ("Client[Id]", "c"),
            ("Client[Email]", "e"),
            ("Signature", "s"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        assert_eq!(
            form_pairs_as_json(&pairs),
            r#"{"Tid":"A","Client":{"Id":"c","Email":"e"},"Signature":"s"}"#
        );
    }

    #[test]
    fn every_event_is_found_by_its_provider_and_name() {
        for event in EVENTS {
            assert!(find(event.provider, event.name).is_some(), "{}", event.name);
        }
        assert!(find(Provider::Easypay, "payment.captured").is_none());
    }
}
