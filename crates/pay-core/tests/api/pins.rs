//! Small behaviours of the public model that mutation testing found unpinned
//! (docs/mutation-testing.md): each assertion fails if one line of the code it covers is
//! changed.

use pay_core::*;

#[test]
fn capability_questions() {
    let none = Capabilities::new(
        AmountEncoding::MinorUnits,
        IdempotencySupport::None,
        WebhookAuth::KeyedHash,
    );
    assert!(!none.has_native_idempotency());
    let native = Capabilities::new(
        AmountEncoding::MinorUnits,
        IdempotencySupport::Native {
            header: "Idempotency-Key",
            max_key_len: 50,
        },
        WebhookAuth::StaticCredentials,
    );
    assert!(native.has_native_idempotency());
    // Account-defined currencies: every currency is accepted (the provider decides).
    assert!(none.accepts_currency(Currency::JPY));
    let only = native.with_currencies(vec![Currency::EUR]);
    assert!(only.accepts_currency(Currency::EUR));
    assert!(!only.accepts_currency(Currency::USD));
    for auth in [
        WebhookAuth::KeyedHash,
        WebhookAuth::StaticCredentials,
        WebhookAuth::None,
    ] {
        assert!(auth.requires_confirmation(), "{auth:?}");
    }
}

#[test]
fn bic_displays_in_upper_case() {
    let bic = Bic::parse("cgdiptpl").unwrap();
    assert_eq!(bic.to_string(), "CGDIPTPL");
    assert_eq!(format!("[{bic}]"), "[CGDIPTPL]");
}
