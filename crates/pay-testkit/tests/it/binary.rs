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
    // The names come from the registry, which codegen fills from the descriptions.
    assert_eq!(
        text(&output.stderr),
        format!(
            "pay-testkit: no provider fake called `stripe` is available; available providers: \
             {}\n",
            pay_testkit::registry::names().join(", ")
        )
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
    assert!(expected.contains("easytransac    Easytransac V1 + V2"));
    assert!(expected.contains("easypay        Easypay API 2.0"));
}

/// Every registered fake is served, at the base URL its entry announces, and answers
/// (here: an unknown path, which each fake refuses in its own way, never with a 500).
#[tokio::test]
async fn the_binary_serves_every_registered_fake() {
    crate::support::within(async {
        for entry in pay_testkit::registry::AVAILABLE {
            let served = serve(entry.name).await;
            let answer = crate::support::call(
                served.addr,
                "GET",
                &format!("{}/_no_such_route", entry.client_path),
                &[],
                b"",
            )
            .await;
            assert!(
                answer.status < 500,
                "{}: {} {}",
                entry.name,
                answer.status,
                String::from_utf8_lossy(&answer.body)
            );
        }
    })
    .await;
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

/// A `pay-testkit serve` child process, killed however the test ends.
struct Served {
    child: std::process::Child,
    addr: std::net::SocketAddr,
    banner: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `pay-testkit serve --provider NAME --port 0` and reads its address (stdout) and
/// banner (stderr).
async fn serve(provider: &'static str) -> Served {
    use std::io::BufRead;

    let mut child = Command::new(env!("CARGO_BIN_EXE_pay-testkit"))
        .args(["serve", "--provider", provider, "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let (url, banner) = tokio::task::spawn_blocking(move || {
        let mut url = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut url)
            .expect("a URL");
        let mut banner = String::new();
        std::io::BufReader::new(stderr)
            .read_line(&mut banner)
            .expect("a banner");
        (url, banner)
    })
    .await
    .expect("join");
    let url = url.trim();
    let authority = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = authority.split_at(authority.find('/').unwrap_or(authority.len()));
    let expected_path = pay_testkit::registry::entry(provider)
        .expect("a registered provider")
        .client_path;
    assert_eq!(path, expected_path, "the base URL a client uses: {url}");
    let addr = authority.parse().expect("an address");
    Served {
        child,
        addr,
        banner,
    }
}

#[tokio::test]
async fn the_binary_serves_the_easypay_fake_with_the_sandbox_credentials() {
    crate::support::within(async {
        let served = serve("easypay").await;
        assert!(
            served
                .banner
                .contains("AccountId: 2b0f63e2-9fb5-4e52-aca0-b4bf0339bbe6"),
            "{}",
            served.banner
        );
        let anonymous = crate::support::call(served.addr, "GET", "/2.0/single", &[], b"").await;
        assert_eq!(anonymous.status, 403);
        let listed = crate::support::call(
            served.addr,
            "GET",
            "/2.0/single",
            &[
                ("AccountId", pay_testkit::easypay::SANDBOX_ACCOUNT_ID),
                ("ApiKey", pay_testkit::easypay::SANDBOX_API_KEY),
            ],
            b"",
        )
        .await;
        assert_eq!(
            listed.status,
            200,
            "{}",
            String::from_utf8_lossy(&listed.body)
        );
    })
    .await;
}
