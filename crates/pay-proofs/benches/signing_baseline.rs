//! Benchmark: Easytransac V1 signing of a 12-field card payment beside its floor, bare
//! SHA-1 over the same canonical string, in the same run, and beside `openssl speed sha1`
//! over inputs of the canonical string's length (issue 13, item 5d).
//!
//! Run with (results live in `docs/benchmarks.md`):
//!
//! ```sh
//! cargo bench -p pay-proofs --bench signing_baseline
//! ```
//!
//! Criterion's benchmarks: `v1_sign_12_fields` (what `pay_signing::easytransac::sign`
//! does: case folding, PHP `ksort`, SHA-1, hex), `v1_canonical_string` (building the
//! string alone, into a buffer), `sha1_canonical_string` (aws-lc-rs SHA-1 over the
//! finished string, the floor signing cannot go below) and `sha1_hex_canonical_string`
//! (the same plus hex). Under `cargo bench` (`--bench`) it then runs
//! `openssl speed -seconds 3 -bytes N sha1` (N the canonical string's length) before and
//! after its own measurements, when the `openssl` command exists, and prints the
//! comparison.

// A benchmark's job is to print its report.
#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::process::Command;
use std::time::Duration;

use aws_lc_rs::digest;
use criterion::Criterion;
use pay_signing::easytransac::{self, Params};
use secrecy::{ExposeSecret as _, SecretString};

/// The same 12-field direct card payment as `crates/pay-signing/benches/signing.rs`.
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

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// `openssl speed` SHA-1 throughput over `bytes`-byte inputs, in hashes per second, or
/// why there is none.
fn openssl_sha1(bytes: usize) -> Result<u128, String> {
    let output = Command::new("openssl")
        .args([
            "speed",
            "-seconds",
            "3",
            "-bytes",
            &bytes.to_string(),
            "sha1",
        ])
        .output()
        .map_err(|e| format!("no openssl command ({e})"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    // The last line reads `sha1  914794.55k`: thousands of bytes per second.
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with("sha1"))
        .ok_or_else(|| format!("unexpected openssl output: {text}"))?;
    let field = line
        .split_whitespace()
        .nth(1)
        .and_then(|f| f.strip_suffix('k'))
        .ok_or_else(|| format!("unexpected openssl line: {line}"))?;
    // Exact decimal text to hundredths of kB/s, without floating point.
    let (whole, fraction) = field.split_once('.').unwrap_or((field, "0"));
    let hundredths: u128 = format!("{whole}{:0<2}", &fraction[..fraction.len().min(2)])
        .parse()
        .map_err(|e| format!("{e}: {field}"))?;
    let bytes_per_s = hundredths * 10;
    Ok(bytes_per_s / u128::try_from(bytes).unwrap_or(1))
}

fn main() {
    let params = typical_payment();
    let key = SecretString::from("bench-api-key-0123456789");
    let canonical = easytransac::canonical_string(&params, &key).expect("canonical string");
    let canonical = canonical.expose_secret().as_bytes().to_vec();
    // The baseline hashes the very bytes the signature hashes.
    assert_eq!(
        hex(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &canonical).as_ref()),
        easytransac::sign(&params, &key).expect("sign").as_str()
    );
    println!("canonical string: {} bytes", canonical.len());

    let benching = std::env::args().any(|a| a == "--bench");
    let before = benching.then(|| openssl_sha1(canonical.len()));

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    c.bench_function("v1_sign_12_fields", |b| {
        b.iter(|| easytransac::sign(black_box(&params), &key).expect("sign"));
    });
    c.bench_function("v1_canonical_string", |b| {
        b.iter(|| easytransac::canonical_string(black_box(&params), &key).expect("canonical"));
    });
    c.bench_function("sha1_canonical_string", |b| {
        b.iter(|| digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, black_box(&canonical)));
    });
    c.bench_function("sha1_hex_canonical_string", |b| {
        b.iter(|| {
            hex(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, black_box(&canonical)).as_ref())
        });
    });
    c.final_summary();

    if let Some(before) = before {
        let after = openssl_sha1(canonical.len());
        match (before, after) {
            (Ok(before), Ok(after)) => println!(
                "openssl speed sha1, {} bytes: {before} hashes/s before, {after} after, mean {}",
                canonical.len(),
                (before + after) / 2
            ),
            (Err(e), _) | (_, Err(e)) => println!("openssl speed sha1: {e}"),
        }
    }
}
