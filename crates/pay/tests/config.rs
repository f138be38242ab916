//! Configuration from variables: every rule names the variable and never echoes a value,
//! and a configuration connects to a working provider behind `dyn` traits.
#![cfg(all(feature = "easytransac", feature = "easypay", feature = "testkit"))]

use std::collections::HashMap;

use pay::testkit::FakeServer;
use pay::testkit::easypay::{EasypayConfig, EasypayFake, PHONE_AUTHORISED};
use pay::{
    CallOptions, Config, ConfigError, ConfigProblem, CreatePayment, Currency, Environment, Lookup,
    MerchantReference, Money, PaymentMethod, PaymentStatus, Phone, Provider,
};

const SECRET: &str = "s3cret-api-key-do-not-print";

fn from(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Config::from_lookup(|name| Lookup::from(map.get(name).cloned()))
}

fn problem(vars: &[(&str, &str)]) -> (String, ConfigProblem, String) {
    let err = from(vars).expect_err("refused");
    let shown = err.to_string();
    for (_, value) in vars {
        let vocabulary = "easytransac, easypay; sandbox, production";
        if value.len() > 3 && !vocabulary.contains(value) {
            assert!(!shown.contains(value), "`{shown}` echoes a value");
        }
    }
    (err.variable().to_owned(), err.problem().clone(), shown)
}

#[test]
fn the_provider_is_required_and_must_be_known() {
    let (var, p, shown) = problem(&[]);
    assert_eq!((var.as_str(), p), ("PAY_PROVIDER", ConfigProblem::Missing));
    assert_eq!(shown, "PAY_PROVIDER is not set");

    let (var, p, shown) = problem(&[("PAY_PROVIDER", "stripe-ish-secret")]);
    assert_eq!(var, "PAY_PROVIDER");
    assert_eq!(p, ConfigProblem::NotOneOf(&["easytransac", "easypay"]));
    assert_eq!(shown, "PAY_PROVIDER must be one of: easytransac, easypay");

    let (_, p, _) = problem(&[("PAY_PROVIDER", "  ")]);
    assert_eq!(p, ConfigProblem::Empty);
}

#[test]
fn credentials_are_required_and_checked_without_echo() {
    let (var, p, _) = problem(&[
        ("PAY_PROVIDER", "easypay"),
        ("EASYPAY_ACCOUNT_ID", "acct-1"),
    ]);
    assert_eq!(
        (var.as_str(), p),
        ("EASYPAY_API_KEY", ConfigProblem::Missing)
    );

    let pasted = format!("{SECRET}\n");
    let (var, p, shown) = problem(&[
        ("PAY_PROVIDER", "easytransac"),
        ("EASYTRANSAC_API_KEY", &pasted),
    ]);
    assert_eq!(
        (var.as_str(), p),
        ("EASYTRANSAC_API_KEY", ConfigProblem::NotAHeaderValue)
    );
    assert!(!shown.contains(SECRET));
    assert_eq!(
        shown,
        "EASYTRANSAC_API_KEY must be visible ASCII without spaces (check for a stray newline or quote)"
    );

    let (var, p, _) = problem(&[
        ("PAY_PROVIDER", "easypay"),
        ("EASYPAY_ACCOUNT_ID", "acct-1"),
        ("EASYPAY_API_KEY", SECRET),
        ("EASYPAY_NOTIFICATION_USER", "hooks"),
    ]);
    assert_eq!(
        (var.as_str(), p),
        (
            "EASYPAY_NOTIFICATION_USER",
            ConfigProblem::NeedsCompanion("EASYPAY_NOTIFICATION_PASSWORD")
        )
    );

    let (var, p, shown) = problem(&[
        ("PAY_PROVIDER", "easypay"),
        ("EASYPAY_ACCOUNT_ID", "acct-1"),
        ("EASYPAY_API_KEY", SECRET),
        ("EASYPAY_OUT_PAYMENT_KEY_FILE", "/nonexistent/key-file.pem"),
    ]);
    assert_eq!(var, "EASYPAY_OUT_PAYMENT_KEY_FILE");
    assert_eq!(p, ConfigProblem::Unreadable(std::io::ErrorKind::NotFound));
    assert!(!shown.contains("key-file"), "not even the path: {shown}");
}

#[test]
fn production_is_only_ever_reached_by_naming_it() {
    let base = [
        ("PAY_PROVIDER", "easytransac"),
        ("EASYTRANSAC_API_KEY", SECRET),
    ];
    let Config::Easytransac(settings) = from(&base).unwrap() else {
        panic!("easytransac")
    };
    assert_eq!(
        settings.client().unwrap().environment(),
        Environment::Sandbox
    );

    let mut live = base.to_vec();
    live.push(("PAY_ENVIRONMENT", "production"));
    let Config::Easytransac(settings) = from(&live).unwrap() else {
        panic!("easytransac")
    };
    assert_eq!(
        settings.client().unwrap().environment(),
        Environment::Production
    );

    let mut typo = base.to_vec();
    typo.push(("PAY_ENVIRONMENT", "prod"));
    let (var, p, _) = problem(&typo);
    assert_eq!(
        (var.as_str(), p),
        (
            "PAY_ENVIRONMENT",
            ConfigProblem::NotOneOf(&["sandbox", "production"])
        )
    );

    live.push(("PAY_BASE_URL", "https://pay.example"));
    let (var, p, _) = problem(&live);
    assert_eq!(
        (var.as_str(), p),
        (
            "PAY_BASE_URL",
            ConfigProblem::ConflictsWith("PAY_ENVIRONMENT")
        )
    );

    let mut plain = base.to_vec();
    plain.push(("PAY_BASE_URL", "http://fake.example/2.0"));
    let (var, p, _) = problem(&plain);
    assert_eq!((var.as_str(), p), ("PAY_BASE_URL", ConfigProblem::NotAUrl));
}

#[test]
fn debug_shows_no_secret() {
    let config = from(&[
        ("PAY_PROVIDER", "easypay"),
        ("EASYPAY_ACCOUNT_ID", "acct-secret-id"),
        ("EASYPAY_API_KEY", SECRET),
        ("EASYPAY_NOTIFICATION_USER", "hooks"),
        ("EASYPAY_NOTIFICATION_PASSWORD", "hook-password-secret"),
    ])
    .unwrap();
    let shown = format!("{config:?}");
    for secret in [SECRET, "acct-secret-id", "hook-password-secret"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(matches!(config, Config::Easypay(_)));
    assert_eq!(config.provider_id().as_str(), "easypay");
    assert!(!format!("{:?}", Lookup::Value(SECRET.to_owned())).contains(SECRET));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_connects_to_a_working_provider() {
    let server = FakeServer::start(EasypayFake::new(EasypayConfig::new("acct-1", SECRET)))
        .await
        .unwrap();
    let config = from(&[
        ("PAY_PROVIDER", "easypay"),
        ("EASYPAY_ACCOUNT_ID", "acct-1"),
        ("EASYPAY_API_KEY", SECRET),
        ("PAY_BASE_URL", &server.url("/2.0")),
    ])
    .unwrap();
    let Config::Easypay(settings) = &config else {
        panic!("easypay")
    };
    assert!(format!("{settings:?}").contains("Custom"));
    let provider = config.connect().unwrap();
    let payments = provider.as_payments().expect("payments");
    let request = CreatePayment::new(
        Money::from_minor(1999, Currency::EUR).unwrap(),
        MerchantReference::new("order-config-1").unwrap(),
        PaymentMethod::MbWay {
            phone: Phone::new("+351", PHONE_AUTHORISED).unwrap(),
        },
    )
    .unwrap();
    let payment = payments
        .create_payment(&request, &CallOptions::new())
        .await
        .unwrap();
    assert_eq!(
        payment.amount,
        Money::from_minor(1999, Currency::EUR).unwrap()
    );
    assert_ne!(payment.status, PaymentStatus::Failed);
    let writes: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.method() == "POST")
        .collect();
    assert_eq!(writes.len(), 1, "one payment created");
}
