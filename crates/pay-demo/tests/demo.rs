//! The README's first command works: the demo runs every flow against the fakes, every
//! step behaves, it exits 0, and nothing it prints (even with `--verbose`) shows a secret.

use std::process::Command;

/// Secrets and card data the demo handles; none may appear in its output.
const NEVER_SHOWN: &[&str] = &[
    "et_test_pay-testkit-fake-key", // Easytransac API key
    "demo-api-key-7f3b",            // Easypay API key
    "demo-hook-password",           // Easypay notification password
    "4000000000003220",             // card numbers
    "4111111111111111",
    "PT50000201231234567890154", // IBANs in full
    "FR1420041010050500013M02606",
    "PRIVATE KEY",
];

fn demo(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_pay-demo"))
        .args(args)
        .output()
        .expect("the demo runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).expect("utf-8"),
        String::from_utf8(output.stderr).expect("utf-8"),
    )
}

#[test]
fn every_step_behaves_and_the_output_shows_no_secret() {
    let (code, stdout, stderr) = demo(&["--json", "--verbose"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(report["ok"], true);
    let steps = report["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 31);
    for step in steps {
        assert_eq!(step["result"], "ok", "{step}");
    }
    let providers: Vec<&str> = steps
        .iter()
        .filter_map(|s| s["provider"].as_str())
        .collect();
    assert!(providers.contains(&"easytransac") && providers.contains(&"easypay"));
    // The verbose request log is there, and redacted.
    let requests: usize = steps
        .iter()
        .map(|s| s["requests"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(requests > 20, "{requests} requests logged");
    for secret in NEVER_SHOWN {
        assert!(!stdout.contains(secret), "`{secret}` shown");
        assert!(!stderr.contains(secret), "`{secret}` shown on stderr");
    }
}

#[test]
fn the_text_output_walks_through_each_step_and_sums_up() {
    let (code, stdout, _) = demo(&["--provider", "easypay"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("[ 1/13] ask 19.99 EUR by MB WAY, authorise only"),
        "{stdout}"
    );
    assert!(stdout.contains("Summary"));
    assert!(
        stdout.contains("13 steps: 13 ok, 0 failed, 0 skipped"),
        "{stdout}"
    );
    assert!(!stdout.contains("easytransac"));
    for secret in NEVER_SHOWN {
        assert!(!stdout.contains(secret), "`{secret}` shown");
    }
}

#[test]
fn a_usage_error_exits_2() {
    let (code, _, stderr) = demo(&["--provider", "paypal"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown provider `paypal`"), "{stderr}");
    let (code, stdout, _) = demo(&["--help"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("usage: pay-demo"));
}
