//! The `pay-testkit` binary's command line, run as a user would.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs the binary with `args`, killing it after 10 seconds so that no bug can hang CI.
fn run(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pay-testkit"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("pay-testkit {args:?} did not exit within 10 seconds");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn serving_an_unknown_provider_is_a_clear_error() {
    let output = run(&["serve", "--provider", "stripe", "--port", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert_eq!(
        text(&output.stderr),
        "pay-testkit: no provider fake called `stripe` is available; available providers: \
         easytransac, easypay\n"
    );
}

#[test]
fn providers_are_listed() {
    let output = run(&["providers"]);
    assert_eq!(output.status.code(), Some(0));
    let expected: String = pay_testkit::registry::AVAILABLE
        .iter()
        .map(|entry| format!("{:<14} {}\n", entry.name, entry.description))
        .collect();
    assert_eq!(text(&output.stdout), expected);
    assert!(expected.starts_with("easytransac    Easytransac V1 + V2"));
    assert!(expected.contains("\neasypay        Easypay API 2.0"));
}

#[test]
fn usage_errors_exit_2_with_the_usage() {
    for args in [
        &["serve"][..],
        &["serve", "--provider", "x", "--port", "http"],
        &[],
        &["launch"],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.starts_with("pay-testkit: "), "{stderr}");
        assert!(
            stderr.contains("usage:\n  pay-testkit serve --provider NAME [--port N]"),
            "{stderr}"
        );
    }
    let help = run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).starts_with("usage:"));
}
