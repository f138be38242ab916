//! Benchmarks: Easytransac V1 signature of a typical payment, Easypay RSA-2048 signing, JWT claims read.
//!
//! Run with (results and the OpenSSL comparison live in `docs/benchmarks.md`):
//!
//! ```sh
//! cargo bench -p pay-signing --bench signing -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use criterion::{Criterion, criterion_group, criterion_main};
use pay_signing::easypay::RsaSigningKey;
use pay_signing::easytransac::{self, Params};
use pay_signing::jwt::{self, JwtSecret, TokenClaims};
use secrecy::SecretString;

fn fixture(relative: &str) -> String {
    let path = format!("{}/../../fixtures/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// A direct card payment as the adapter would post it: 12 signed fields.
fn typical_payment() -> Params {
    Params::new()
        .with("Amount", 1250)
        .with("OrderId", "order-2024-000042")
        .with("Uid", "customer-8842")
        .with("Email", "jane.doe@example.com")
        .with("Firstname", "Jane")
        .with("Lastname", "Doe")
        .with("ClientIp", "89.184.22.134")
        .with("CardNumber", "4970101234567890")
        .with("CardMonth", "09")
        .with("CardYear", "2030")
        .with("CardCVV", "123")
        .with("Version", "pay-rust 0.0.0")
}

fn v1_signature(c: &mut Criterion) {
    let params = typical_payment();
    let key = SecretString::from("bench-api-key-0123456789");
    c.bench_function("easytransac_v1_sign_12_fields", |b| {
        b.iter(|| easytransac::sign(black_box(&params), &key).unwrap());
    });
}

fn rsa_2048(c: &mut Criterion) {
    let key = RsaSigningKey::from_pem(&SecretString::from(fixture(
        "easypay/keys/test-rsa-2048-pkcs8.pem",
    )))
    .unwrap();
    let body = br#"{"key":"payout-42","method":"transfer","out_account":{"account_holder":"Jane Doe","email":"jane@example.com","iban":"PT50000201231234567890154","phone":"+351911234567"},"timestamp":"1700000000","type":"normal","value":17.5}"#;
    c.bench_function("easypay_rsa2048_sign", |b| {
        b.iter(|| key.sign(black_box(body)).unwrap())
    });
}

fn jwt_claims(c: &mut Criterion) {
    let secret = JwtSecret::from_secret_string(&SecretString::from("bench-secret")).unwrap();
    let issued = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let claims = TokenClaims::new(
        "et_test_merchant",
        issued,
        issued + Duration::from_secs(300),
    )
    .unwrap();
    let token = jwt::issue_hs256(&secret, &claims).unwrap();
    c.bench_function("jwt_read_claims_unverified", |b| {
        b.iter(|| jwt::read_claims_unverified(black_box(&token)).unwrap());
    });
}

criterion_group!(benches, v1_signature, rsa_2048, jwt_claims);
criterion_main!(benches);
