//! The README's first command works: the demo runs every flow against the fakes, every
//! step behaves, it exits 0, and nothing it prints (even with `--verbose`) shows a secret;
//! with `--interactive` it waits for a person to complete the customer pages.

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

/// `--interactive`: the demo prints the customer page's URL and waits until a person
/// completes it; here the test is that person, posting the page's form as a browser
/// would. Returns the demo's exit code, standard output and standard error.
fn interactive(provider: &str, form: &str) -> (i32, String, String) {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::Stdio;

    let mut child = Command::new(env!("CARGO_BIN_EXE_pay-demo"))
        .args(["--interactive", "--provider", provider])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the demo runs");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    let mut url = None;
    while url.is_none() {
        let mut line = String::new();
        if stderr.read_line(&mut line).expect("read stderr") == 0 {
            break;
        }
        url = line
            .split_whitespace()
            .skip_while(|word| *word != "open")
            .nth(1)
            .map(str::to_owned);
        seen.push_str(&line);
    }
    let Some(url) = url else {
        let _ = child.kill();
        panic!("no page URL printed:\n{seen}");
    };
    // The demo waits for the person: still running a moment later.
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        child.try_wait().expect("poll").is_none(),
        "the demo did not wait"
    );

    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest.split_at(rest.find('/').expect("a path"));
    let posted = std::net::TcpStream::connect(host).and_then(|mut stream| {
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {host}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{form}",
            form.len()
        )?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer)
    });
    let answer = match posted {
        Ok(answer) if answer.starts_with("HTTP/1.1 200") => answer,
        other => {
            let _ = child.kill();
            panic!("the page did not accept the form: {other:?}");
        }
    };
    assert!(!answer.contains("<script"));
    stderr.read_to_string(&mut seen).expect("read stderr");
    let output = child.wait_with_output().expect("the demo ends");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).expect("utf-8"),
        seen,
    )
}

#[test]
fn interactive_waits_for_the_three_d_secure_page() {
    let (code, stdout, stderr) = interactive("easytransac", "outcome=pass");
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stderr.contains("/api/payment/3dsecure/"), "{stderr}");
    assert!(stderr.contains("done in the browser: captured"), "{stderr}");
    assert!(
        stdout.contains("challenge passed in the browser"),
        "{stdout}"
    );
    assert!(stdout.contains("0 failed"), "{stdout}");
    for secret in NEVER_SHOWN {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "`{secret}` shown"
        );
    }
}

#[test]
fn interactive_waits_for_the_mb_way_page() {
    let (code, stdout, stderr) = interactive("easypay", "answer=approve");
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stderr.contains("/fake/mbway/"), "{stderr}");
    assert!(stdout.contains("answered in the browser"), "{stdout}");
    assert!(stdout.contains("13 steps: 13 ok, 0 failed"), "{stdout}");
}
