//! The README's demo: what `pay` guarantees before any provider is involved.
//!
//! Run it with `cargo run --quiet -p pay --example demo`. Until the provider adapters land
//! it shows the provider-neutral core: exact money, wire encodings, validated IBANs and
//! cards that never show in full, typed errors that name the field and the rule, the
//! retry decision that refuses to charge twice, and redaction of provider bodies.
//! Later the demo runs full payment flows against `pay-testkit`'s fake servers.

// A demo's job is to print.
#![allow(clippy::print_stdout)]

use pay::{
    AmountEncoding, AttemptOutcome, CallSafety, CardNumber, CreatePayment, Currency, Decision,
    ErrorKind, Iban, MerchantReference, Method, Money, PayError, PaymentMethod, Phone, Redactor,
    RetryPolicy, RetryRules, ValidationError,
};

fn main() -> Result<(), ValidationError> {
    section("Money is exact");
    let price = Money::parse_major("29.99", Currency::EUR)?;
    println!(
        "{:<26} -> {price} ({} minor units)",
        "parse \"29.99\" EUR",
        price.minor_units()
    );
    show_err(
        "parse \"12.345\" EUR",
        Money::parse_major("12.345", Currency::EUR),
    );
    show_err(
        "parse \"1,50\" EUR",
        Money::parse_major("1,50", Currency::EUR),
    );
    let yen = Money::parse_major("1500", Currency::JPY)?;
    println!(
        "{:<26} -> {yen} (JPY has no minor unit)",
        "parse \"1500\" JPY"
    );
    show_err("EUR + JPY", price.checked_add(yen));
    let parts = Money::parse_major("100.00", Currency::EUR)?.allocate(&[1, 1, 1])?;
    let shown: Vec<String> = parts.iter().map(Money::to_string).collect();
    println!(
        "{:<26} -> {} (no cent lost)",
        "100.00 EUR in 3 parts",
        shown.join(" + ")
    );

    section("Wire encodings, never through a float");
    let amount = Money::from_minor(1750, Currency::EUR)?;
    for (name, encoding) in [
        (
            "Easytransac request (minor units)",
            AmountEncoding::MinorUnits,
        ),
        (
            "Easytransac answer (decimal string)",
            AmountEncoding::MajorDecimalString,
        ),
        (
            "Easypay value (JSON number)",
            AmountEncoding::MajorJsonNumber { max_decimals: 2 },
        ),
    ] {
        println!("{name:<36} -> {}", encoding.encode(amount)?);
    }
    let tricky = "0.30000000000000004";
    show_err(
        &format!("Easypay value {tricky}"),
        AmountEncoding::MajorJsonNumber { max_decimals: 2 }.decode(tricky, Currency::EUR),
    );

    section("IBANs and cards are validated and never shown in full");
    let iban = Iban::parse("PT50 0002 0123 1234 5678 9015 4")?;
    println!("{:<26} -> {iban} / {iban:?}", "IBAN Display / Debug");
    show_err(
        "IBAN with a typo",
        Iban::parse("PT50 0002 0123 1234 5678 9015 5"),
    );
    let card = CardNumber::new("4111 1111 1111 1111")?;
    println!("{:<26} -> {card:?}", "card Debug");
    show_err("card with a typo", CardNumber::new("4111 1111 1111 1112"));
    show_err("MB WAY phone", Phone::new("+351", "91 123 4567"));

    section("Bad requests fail before any byte leaves");
    let reference = MerchantReference::new("order-2024-0001")?;
    let zero = Money::zero(Currency::EUR)?;
    show_err(
        "create a 0.00 EUR payment",
        CreatePayment::new(zero, reference.clone(), PaymentMethod::HostedPage),
    );

    section("No double charge: the retry decision");
    let policy = RetryPolicy::default();
    for (call, safety) in [
        ("read", CallSafety::Read),
        (
            "Easypay write, Idempotency-Key",
            CallSafety::IdempotentWrite,
        ),
        (
            "Easytransac write (no idempotency)",
            CallSafety::UnsafeWrite,
        ),
    ] {
        let decision = policy.decide(
            &RetryRules::GENERIC,
            Method::Post,
            safety,
            1,
            AttemptOutcome::NoAnswer,
            42,
        );
        let said = match decision {
            Decision::Retry { after } => format!("retry after {} ms", after.as_millis()),
            Decision::GiveUp => "give up".to_owned(),
            Decision::Ambiguous => "ambiguous outcome: reconcile, do not retry".to_owned(),
        };
        println!("{call:<36} answer lost -> {said}");
    }
    let ambiguous = PayError::new(ErrorKind::AmbiguousOutcome {
        reference: Some(reference),
    })
    .with_provider(pay::ProviderId::new("easytransac"))
    .with_operation("payment_direct");
    println!("the caller sees: {ambiguous}");

    section("Provider bodies are redacted before they reach an error or a log");
    let body = r#"{"Tid":"T1","CardNumber":"4111111111111111","Cvv":"123","Amount":"29.99","Iban":"PT50000201231234567890154"}"#;
    println!("{}", Redactor::default().json(body));
    Ok(())
}

fn section(title: &str) {
    println!("\n== {title}");
}

fn show_err<T: std::fmt::Debug>(what: &str, result: Result<T, ValidationError>) {
    match result {
        Ok(value) => println!("{what:<26} -> unexpectedly accepted: {value:?}"),
        Err(err) => println!("{what:<26} -> error: {err}"),
    }
}
