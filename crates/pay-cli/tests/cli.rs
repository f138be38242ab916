//! The `pay` binary, run as a process against pay-testkit's fakes (in-process, or `pay
//! serve` as a child) and a small local receiver that verifies what it gets with the
//! adapters' real verification and answers accordingly.
//!
//! One test binary with modules: each test binary costs link time.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use pay::Webhooks;

/// Credentials the tests give; none may ever appear in the output.
const ET_KEY: &str = "et_test_cli-secret-key-9f2c";
const EP_ACCOUNT: &str = "ep-account-secret-77aa";
const EP_API_KEY: &str = "ep-api-secret-5d1e";
const HOOK_USER: &str = "hooks";
const HOOK_PASSWORD: &str = "hook-password-secret-31";
const CARD: &str = "4111111111111111";

/// Variables the host's environment might set, removed so tests see only their own.
const ENV: &[&str] = &[
    "PAY_PROVIDER",
    "PAY_ENVIRONMENT",
    "PAY_BASE_URL",
    "EASYTRANSAC_API_KEY",
    "EASYPAY_ACCOUNT_ID",
    "EASYPAY_API_KEY",
    "EASYPAY_OUT_PAYMENT_KEY_FILE",
    "EASYPAY_NOTIFICATION_USER",
    "EASYPAY_NOTIFICATION_PASSWORD",
];

fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pay"));
    command.args(args);
    for name in ENV {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

/// Runs `pay` to completion (off the async workers): exit code, stdout, stderr.
async fn pay(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut command = command(args, env);
    command.stdin(Stdio::null());
    let output: Output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("joined")
        .expect("pay runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).expect("utf-8"),
        String::from_utf8(output.stderr).expect("utf-8"),
    )
}

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn raw(&self) -> pay::RawWebhook {
        pay::RawWebhook::new(self.headers.clone(), self.body.clone(), SystemTime::now())
    }
}

type Decide = Arc<dyn Fn(&Received) -> u16 + Send + Sync>;

/// A merchant app on 127.0.0.1:0: records every POST and answers `decide`'s status.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start(decide: Decide) -> Self {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let record = got.clone();
        let app = axum::Router::new().route(
            "/hooks",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let record = record.clone();
                let decide = decide.clone();
                async move {
                    let received = Received {
                        headers: headers
                            .iter()
                            .map(|(k, v)| {
                                (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned())
                            })
                            .collect(),
                        body: body.to_vec(),
                    };
                    let status = decide(&received);
                    record
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(received);
                    (
                        StatusCode::from_u16(status).expect("a status"),
                        if status < 300 { "ok" } else { "refused" },
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hooks", listener.local_addr().expect("addr"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, got, task }
    }

    /// Accepts what Easytransac's real verification accepts with `key`, else 401.
    async fn easytransac(key: &str) -> Self {
        let client = pay::easytransac::EasytransacClient::builder(pay::SecretString::from(key))
            .build()
            .expect("client");
        Self::start(Arc::new(move |r: &Received| {
            if client.verify(&r.raw()).is_ok() {
                200
            } else {
                401
            }
        }))
        .await
    }

    /// Accepts what Easypay's real verification accepts with Basic credentials, else 401.
    async fn easypay(user: &str, password: &str) -> Self {
        let client = pay::easypay::EasypayClient::builder(
            pay::easypay::AccountId::new("a"),
            pay::easypay::ApiKey::new("k"),
        )
        .notification_auth(pay::easypay::NotificationAuth::basic(user, password))
        .build()
        .expect("client");
        Self::start(Arc::new(move |r: &Received| {
            if client.verify(&r.raw()).is_ok() {
                200
            } else {
                401
            }
        }))
        .await
    }

    fn got(&self) -> Vec<Received> {
        self.got
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits until `n` requests arrived (or 10 s passed).
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..100 {
            if self.got().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.got()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Parses JSON output (no amounts are JSON numbers in it).
fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn temp_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("pay-cli-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

mod trigger {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lists_every_event_of_both_providers() {
        let (code, stdout, _) = pay(&["trigger", "--list", "--json"], &[]).await;
        assert_eq!(code, 0);
        let list = json(&stdout);
        let events = list["events"].as_array().expect("events");
        let count = |p: &str| events.iter().filter(|e| e["provider"] == p).count();
        assert_eq!(count("easytransac"), 12);
        assert_eq!(count("easypay"), 11);
        for name in [
            "generic.capture",
            "authorisation",
            "transaction",
            "payment.refunded",
        ] {
            assert!(events.iter().any(|e| e["event"] == name), "{name}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn easytransac_notifications_verify_and_the_tampered_ones_are_refused() {
        for format in ["form", "json"] {
            let app = Receiver::easytransac(ET_KEY).await;
            let (code, stdout, stderr) = pay(
                &[
                    "trigger",
                    "easytransac",
                    "payment.captured",
                    "--forward-to",
                    &app.url,
                    "--format",
                    format,
                    "--duplicate",
                    "--tamper",
                    "--unsigned",
                    "--amount",
                    "18.00",
                    "--json",
                ],
                &[("EASYTRANSAC_API_KEY", ET_KEY)],
            )
            .await;
            assert_eq!(code, 0, "{format}: {stdout}\n{stderr}");
            let report = json(&stdout);
            assert_eq!(report["ok"], true);
            let statuses: Vec<u64> = report["deliveries"]
                .as_array()
                .expect("deliveries")
                .iter()
                .map(|d| d["status"].as_u64().expect("status"))
                .collect();
            assert_eq!(statuses, [200, 200, 401, 401], "{format}");

            let got = app.got();
            assert_eq!(got.len(), 4);
            assert_eq!(got[0].body, got[1].body, "a duplicate is the same bytes");
            let body = String::from_utf8_lossy(&got[0].body).into_owned();
            assert!(body.contains("Amount") && body.contains("18.00"), "{body}");
            assert!(body.contains("Signature"), "{body}");
            let content_type = got[0]
                .headers
                .iter()
                .find(|(k, _)| k == "content-type")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            assert!(
                content_type.contains(if format == "form" { "form" } else { "json" }),
                "{content_type}"
            );
            // The real verifier accepts the genuine one and reads it as the event.
            let client =
                pay::easytransac::EasytransacClient::builder(pay::SecretString::from(ET_KEY))
                    .build()
                    .expect("client");
            let verified = client.verify(&got[0].raw()).expect("verifies");
            let event = client.parse(&verified).expect("parses");
            assert_eq!(event.provider_status.as_deref(), Some("captured"));
            assert_eq!(
                event.amount.map(|m| m.minor_units()),
                Some(1800),
                "exact amount"
            );
            // Tampered: same transaction, amount changed after signing.
            let tampered = String::from_utf8_lossy(&got[2].body).into_owned();
            assert!(!tampered.contains("18.00"), "{tampered}");
            assert!(client.verify(&got[2].raw()).is_err());
            assert!(!String::from_utf8_lossy(&got[3].body).contains("Signature"));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_app_that_accepts_everything_fails_the_rehearsal() {
        let app = Receiver::start(Arc::new(|_: &Received| 200)).await;
        let (code, stdout, _) = pay(
            &[
                "trigger",
                "easytransac",
                "payment.failed",
                "--forward-to",
                &app.url,
                "--tamper",
            ],
            &[],
        )
        .await;
        assert_eq!(code, 1, "{stdout}");
        assert!(
            stdout.contains("WRONG: accepted a notification it must refuse"),
            "{stdout}"
        );
        assert!(
            stdout.contains("1 of 2 deliveries answered wrongly"),
            "{stdout}"
        );

        // An app that refuses a genuine notification fails too.
        let app = Receiver::start(Arc::new(|_: &Received| 500)).await;
        let (code, stdout, _) = pay(
            &[
                "trigger",
                "easypay",
                "generic.refund",
                "--forward-to",
                &app.url,
            ],
            &[],
        )
        .await;
        assert_eq!(code, 1, "{stdout}");
        assert!(stdout.contains("WRONG: refused"), "{stdout}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn easypay_notifications_carry_the_credentials_and_repeat_with_fresh_ids() {
        let app = Receiver::easypay(HOOK_USER, HOOK_PASSWORD).await;
        let (code, stdout, stderr) = pay(
            &[
                "trigger",
                "easypay",
                "transaction",
                "--forward-to",
                &app.url,
                "--repeat",
                "3",
                "--tamper",
                "--json",
            ],
            &[
                ("EASYPAY_NOTIFICATION_USER", HOOK_USER),
                ("EASYPAY_NOTIFICATION_PASSWORD", HOOK_PASSWORD),
            ],
        )
        .await;
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let got = app.got();
        assert_eq!(
            got.len(),
            6,
            "three notifications, each with a tampered copy"
        );
        let ids: std::collections::BTreeSet<String> = json(&stdout)["deliveries"]
            .as_array()
            .expect("deliveries")
            .iter()
            .map(|d| d["id"].as_str().expect("id").to_owned())
            .collect();
        assert_eq!(
            ids.len(),
            3,
            "fresh ids per notification, shared by its copy"
        );
        let client = pay::easypay::EasypayClient::builder(
            pay::easypay::AccountId::new("a"),
            pay::easypay::ApiKey::new("k"),
        )
        .notification_auth(pay::easypay::NotificationAuth::basic(
            HOOK_USER,
            HOOK_PASSWORD,
        ))
        .build()
        .expect("client");
        let verified = client.verify(&got[0].raw()).expect("verifies");
        let event = client.parse(&verified).expect("a transaction notification");
        assert_eq!(event.provider_status.as_deref(), Some("transaction"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_unreachable_app_and_a_remote_url_are_told_apart() {
        // A port nobody listens on: bound, then closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let url = format!("http://127.0.0.1:{port}/hooks");
        let (code, _, _) = pay(
            &[
                "trigger",
                "easytransac",
                "payment.captured",
                "--forward-to",
                &url,
            ],
            &[],
        )
        .await;
        assert_eq!(code, 3);
        let (code, _, stderr) = pay(
            &[
                "trigger",
                "easytransac",
                "payment.captured",
                "--forward-to",
                "http://example.org/hooks",
            ],
            &[],
        )
        .await;
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("loopback"), "{stderr}");
        let (code, _, _) = pay(
            &["trigger", "easypay", "payment.captured", "--output", "x"],
            &[],
        )
        .await;
        assert_eq!(code, 2, "an Easytransac event is not Easypay's");
    }
}

mod verify {
    use super::*;

    async fn written(args: &[&str], file: &str, env: &[(&str, &str)]) -> String {
        let path = temp_file(file);
        let path_text = path.to_str().expect("utf-8 path").to_owned();
        let mut all = args.to_vec();
        all.extend(["--output", &path_text]);
        let (code, stdout, stderr) = pay(&all, env).await;
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        path_text
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn says_whether_a_capture_verifies_and_why_not() {
        let key = [("EASYTRANSAC_API_KEY", ET_KEY)];
        let genuine = written(
            &["trigger", "easytransac", "payment.refunded"],
            "et.http",
            &key,
        )
        .await;
        let (code, stdout, _) = pay(&["verify", "easytransac", &genuine], &key).await;
        assert_eq!(code, 0, "{stdout}");
        assert!(stdout.starts_with("verified:"), "{stdout}");
        assert!(stdout.contains("refunded"), "{stdout}");

        // Another key: wrong key, explained, exit 1.
        let (code, stdout, _) = pay(
            &[
                "verify",
                "easytransac",
                &genuine,
                "--key",
                "et_test_another-key",
                "--json",
            ],
            &[],
        )
        .await;
        assert_eq!(code, 1);
        let verdict = json(&stdout);
        assert_eq!(verdict["verified"], false);
        assert_eq!(verdict["reason"], "bad_signature");
        assert!(
            verdict["message"]
                .as_str()
                .expect("message")
                .contains("wrong key")
        );

        // Signed by the fakes' key, checked with ours.
        let testkit = written(
            &["trigger", "easytransac", "payment.captured"],
            "tk.http",
            &[],
        )
        .await;
        let (code, stdout, _) = pay(&["verify", "easytransac", &testkit], &key).await;
        assert_eq!(code, 1);
        assert!(
            stdout.contains("signed with pay-testkit's test key"),
            "{stdout}"
        );

        // Tampered and unsigned.
        let tampered = written(
            &[
                "trigger",
                "easytransac",
                "payment.captured",
                "--tamper",
                "--format",
                "json",
            ],
            "tampered.http",
            &key,
        )
        .await;
        let (code, stdout, _) = pay(&["verify", "easytransac", &tampered], &key).await;
        assert_eq!(code, 1);
        assert!(stdout.contains("tampered value"), "{stdout}");
        let unsigned = written(
            &["trigger", "easytransac", "payment.captured", "--unsigned"],
            "unsigned.http",
            &key,
        )
        .await;
        let (code, stdout, _) = pay(&["verify", "easytransac", &unsigned], &key).await;
        assert_eq!(code, 1);
        assert!(stdout.contains("missing field `Signature`"), "{stdout}");

        // A body alone from standard input, missing `Tid`.
        let mut child = command(&["verify", "easytransac", "-", "--json"], &key)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            stdin
                .write_all(b"Status=captured&Signature=0123456789abcdef")
                .expect("write");
        }
        let output = child.wait_with_output().expect("runs");
        assert_eq!(output.status.code(), Some(1));
        let verdict = json(&String::from_utf8_lossy(&output.stdout));
        assert_eq!(verdict["reason"], "malformed");
        assert!(
            verdict["message"]
                .as_str()
                .expect("message")
                .contains("`Tid`")
        );

        // Easypay: right and wrong password.
        let creds = [
            ("EASYPAY_NOTIFICATION_USER", HOOK_USER),
            ("EASYPAY_NOTIFICATION_PASSWORD", HOOK_PASSWORD),
        ];
        let capture = written(
            &["trigger", "easypay", "generic.capture"],
            "ep.http",
            &creds,
        )
        .await;
        let (code, stdout, _) = pay(&["verify", "easypay", &capture], &creds).await;
        assert_eq!(code, 0, "{stdout}");
        let (code, stdout, _) = pay(
            &[
                "verify",
                "easypay",
                &capture,
                "--user",
                HOOK_USER,
                "--password",
                "other",
            ],
            &[],
        )
        .await;
        assert_eq!(code, 1);
        assert!(stdout.contains("the password differs"), "{stdout}");

        // Usage and unreadable input.
        let (code, _, _) = pay(&["verify"], &[]).await;
        assert_eq!(code, 2);
        let (code, _, stderr) = pay(&["verify", "easypay", "/no/such/capture"], &[]).await;
        assert_eq!(code, 4, "{stderr}");
    }
}

mod serve {
    use super::*;

    /// `pay serve` as a child: its first JSON lines announce the base URLs.
    struct Served {
        child: std::process::Child,
        lines: Arc<Mutex<Vec<String>>>,
        stderr: std::thread::JoinHandle<String>,
    }

    impl Served {
        fn start(args: &[&str], env: &[(&str, &str)], listening: usize) -> (Self, Vec<String>) {
            let mut child = command(args, env)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("pay serve starts");
            let stdout = child.stdout.take().expect("stdout");
            let mut stderr = child.stderr.take().expect("stderr");
            let lines: Arc<Mutex<Vec<String>>> = Arc::default();
            let (tx, rx) = std::sync::mpsc::channel();
            let sink = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    let _ = tx.send(line.clone());
                    sink.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(line);
                }
            });
            let stderr = std::thread::spawn(move || {
                let mut text = String::new();
                let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
                text
            });
            let urls: Vec<String> = (0..listening)
                .map(|_| {
                    let line = rx
                        .recv_timeout(Duration::from_secs(30))
                        .expect("a listening line");
                    json(&line)["base_url"]
                        .as_str()
                        .expect("base_url")
                        .to_owned()
                })
                .collect();
            (
                Self {
                    child,
                    lines,
                    stderr,
                },
                urls,
            )
        }

        /// Stops it (the process this test started) and returns stdout and stderr.
        fn stop(mut self) -> (String, String) {
            let _ = self.child.kill();
            let _ = self.child.wait();
            let stderr = self.stderr.join().unwrap_or_default();
            std::thread::sleep(Duration::from_millis(100));
            let stdout = self
                .lines
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .join("\n");
            (stdout, stderr)
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn forwards_the_fakes_notifications_and_logs_them() {
        let app = Receiver::easytransac(ET_KEY).await;
        let (served, urls) = Served::start(
            &["serve", "easytransac", "--forward-to", &app.url, "--json"],
            &[("EASYTRANSAC_API_KEY", ET_KEY)],
            1,
        );
        let (code, stdout, stderr) = pay(
            &[
                "call",
                "easytransac",
                "v1_payment_direct",
                "--base-url",
                &urls[0],
                "Amount=1999",
                &format!("CardNumber={CARD}"),
                "CardMonth=12",
                "CardYear=2030",
                "CardCVV=123",
                "ClientIp=127.0.0.1",
                "OrderId=order-77",
            ],
            &[("EASYTRANSAC_API_KEY", ET_KEY)],
        )
        .await;
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert!(stdout.contains("\"Status\": \"captured\""), "{stdout}");
        let got = app.wait_for(1).await;
        assert_eq!(got.len(), 1, "the PUSH notification reached the app");
        tokio::time::sleep(Duration::from_millis(400)).await;
        let (log, _) = served.stop();
        assert!(log.contains("\"event\":\"request\""), "{log}");
        assert!(log.contains("v1_payment_direct"), "{log}");
        assert!(log.contains("\"event\":\"notification\""), "{log}");
        assert!(log.contains("\"status\":200"), "{log}");
        assert!(log.contains("Status=captured"), "{log}");
    }
}

mod call {
    use super::*;
    use pay::testkit::FakeServer;
    use pay::testkit::easypay::{EasypayConfig, EasypayFake, TEST_OUT_PAYMENT_PUBLIC_KEY};

    async fn easypay_fake() -> FakeServer<EasypayFake> {
        let config = EasypayConfig::new(EP_ACCOUNT, EP_API_KEY)
            .with_out_payment_key(TEST_OUT_PAYMENT_PUBLIC_KEY)
            .expect("the test key");
        FakeServer::start(EasypayFake::new(config))
            .await
            .expect("starts")
    }

    const EP_ENV: &[(&str, &str)] = &[
        ("EASYPAY_ACCOUNT_ID", EP_ACCOUNT),
        ("EASYPAY_API_KEY", EP_API_KEY),
    ];

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn calls_change_the_fake_and_dry_runs_send_nothing() {
        let fake = easypay_fake().await;
        let base = fake.url("/2.0");
        let create = [
            "call",
            "easypay",
            "single_create",
            "--base-url",
            base.as_str(),
            "value=12.5",
            "method=mbw",
            "customer.phone=911234567",
            "key=order-9",
            "capture.descriptive=Shop",
        ];

        // Dry run: the adapter's request, redacted, and nothing reaches the fake.
        let mut dry = create.to_vec();
        dry.extend(["--dry-run", "--json"]);
        let (code, stdout, stderr) = pay(&dry, EP_ENV).await;
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        let requests = json(&stdout)["requests"].clone();
        let request = &requests[0];
        assert_eq!(request["method"], "POST");
        assert_eq!(request["url"], format!("{base}/single"));
        assert!(
            request["body"]
                .as_str()
                .expect("body")
                .contains("\"value\":12.5")
        );
        let headers = request["headers"].to_string();
        assert!(headers.contains("idempotency-key"), "{headers}");
        assert!(headers.contains("[REDACTED]"), "{headers}");
        assert!(fake.requests().is_empty(), "a dry run sends nothing");
        assert_eq!(fake.snapshot().payments().count(), 0);

        // The real call creates the payment in the fake.
        let (code, stdout, stderr) = pay(&create, EP_ENV).await;
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        assert!(stdout.contains("→ 201"), "{stdout}");
        let payments: Vec<String> = fake
            .snapshot()
            .payments()
            .map(|p| p.id().to_owned())
            .collect();
        assert_eq!(payments.len(), 1);

        // Read it back by path parameter.
        let (code, stdout, _) = pay(
            &[
                "call",
                "easypay",
                "single_get",
                "--base-url",
                &base,
                &format!("id={}", payments[0]),
                "--json",
            ],
            EP_ENV,
        )
        .await;
        assert_eq!(code, 0, "{stdout}");
        let answer = json(&stdout);
        assert_eq!(answer["status"], 200);
        assert_eq!(answer["body"]["id"].as_str(), Some(payments[0].as_str()));

        // Invalid: refused by the description's checks, nothing sent, exit 1.
        let before = fake.requests().len();
        let (code, _, stderr) = pay(
            &[
                "call",
                "easypay",
                "single_create",
                "--base-url",
                &base,
                "value=0.10",
                "method=mbw",
            ],
            EP_ENV,
        )
        .await;
        assert_eq!(code, 1);
        assert!(
            stderr.contains("`value`") && stderr.contains("nothing was sent"),
            "{stderr}"
        );
        assert_eq!(fake.requests().len(), before);

        // Refused by the provider: an unknown payment, exit 1 with the status.
        let (code, _, stderr) = pay(
            &[
                "call",
                "easypay",
                "single_get",
                "--base-url",
                &base,
                "id=no-such-payment",
            ],
            EP_ENV,
        )
        .await;
        assert_eq!(code, 1);
        assert!(stderr.contains("http_status: 404"), "{stderr}");

        // No credentials: exit 4, naming the variable.
        let (code, _, stderr) = pay(
            &["call", "easypay", "single_get", "--base-url", &base, "id=x"],
            &[],
        )
        .await;
        assert_eq!(code, 4);
        assert!(stderr.contains("EASYPAY_ACCOUNT_ID"), "{stderr}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn operations_and_fields_come_from_the_descriptions() {
        let (code, stdout, _) = pay(&["call", "easypay", "--list", "--json"], &[]).await;
        assert_eq!(code, 0);
        let listed = json(&stdout)["operations"]
            .as_array()
            .expect("operations")
            .len();
        let paths = pay::easypay::wire::OPERATIONS
            .iter()
            .filter(|op| op.kind == pay::OperationKind::Path)
            .count();
        assert_eq!(listed, paths);
        let (code, stdout, _) = pay(
            &["call", "easytransac", "v1_payment_direct", "--describe"],
            &[],
        )
        .await;
        assert_eq!(code, 0);
        assert!(stdout.contains("CardNumber"), "{stdout}");
        let (code, stdout, _) = pay(&["completions", "bash"], &[]).await;
        assert_eq!(code, 0);
        assert!(stdout.contains("single_create") && stdout.contains("payment.captured"));
        let (code, stdout, _) = pay(&["completions", "zsh"], &[]).await;
        assert_eq!(code, 0);
        assert!(stdout.contains("v1_payment_direct") && stdout.contains("generic.capture"));
        // clap_complete's fish script completes subcommands and flags, not the values of
        // positional arguments.
        let (code, stdout, _) = pay(&["completions", "fish"], &[]).await;
        assert_eq!(code, 0);
        assert!(stdout.contains("-l dry-run"), "{stdout}");
        let (code, _, _) = pay(&["call", "easypay", "no_such_operation"], &[]).await;
        assert_eq!(code, 2);
    }
}

/// Every subcommand with `--verbose` (where it has one): no key, password, card number
/// beyond its last four digits or private key in anything printed.
mod secrets {
    use super::*;
    use pay::testkit::FakeServer;
    use pay::testkit::easypay::{EasypayConfig, EasypayFake, TEST_OUT_PAYMENT_PUBLIC_KEY};

    const PRIVATE_KEY_FILE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/easypay/keys/test-rsa-2048-pkcs8.pem"
    );

    fn never_shown() -> Vec<String> {
        let pem = std::fs::read_to_string(PRIVATE_KEY_FILE).expect("the test key");
        // A line from the middle of the private key's base64.
        let key_line = pem.lines().nth(5).expect("a key line").to_owned();
        [
            ET_KEY,
            EP_API_KEY,
            EP_ACCOUNT,
            HOOK_PASSWORD,
            CARD,
            "411111111111",
            "CardCVV=123",
            "PRIVATE KEY",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .chain([key_line])
        .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_secret_in_any_output_even_verbose() {
        let env: Vec<(&str, &str)> = vec![
            ("EASYTRANSAC_API_KEY", ET_KEY),
            ("EASYPAY_ACCOUNT_ID", EP_ACCOUNT),
            ("EASYPAY_API_KEY", EP_API_KEY),
            ("EASYPAY_OUT_PAYMENT_KEY_FILE", PRIVATE_KEY_FILE),
            ("EASYPAY_NOTIFICATION_USER", HOOK_USER),
            ("EASYPAY_NOTIFICATION_PASSWORD", HOOK_PASSWORD),
        ];
        let mut outputs: Vec<(String, String)> = Vec::new();
        let mut run = |args: Vec<String>, out: (i32, String, String)| {
            let text = format!("{}\n{}", out.1, out.2);
            outputs.push((args.join(" "), text.clone()));
            (out.0, text)
        };

        let et_app = Receiver::easytransac(ET_KEY).await;
        let ep_app = Receiver::easypay(HOOK_USER, HOOK_PASSWORD).await;
        for (provider, event, url) in [
            ("easytransac", "payment.captured", &et_app.url),
            ("easypay", "authorisation", &ep_app.url),
        ] {
            let args = [
                "trigger",
                provider,
                event,
                "--forward-to",
                url,
                "--verbose",
                "--tamper",
                "--unsigned",
                "--duplicate",
            ];
            let out = pay(&args, &env).await;
            let (code, text) = run(args.iter().map(|s| (*s).to_owned()).collect(), out);
            assert_eq!(code, 0, "{text}");
        }

        // verify, verbose, both providers, verified and not.
        let capture = temp_file("secret-et.http");
        let capture = capture.to_str().expect("path").to_owned();
        for (provider, event) in [
            ("easytransac", "payment.captured"),
            ("easypay", "transaction"),
        ] {
            let args = [
                "trigger",
                provider,
                event,
                "--output",
                &capture,
                "--force",
                "--verbose",
            ];
            let out = pay(&args, &env).await;
            let (code, text) = run(args.iter().map(|s| (*s).to_owned()).collect(), out);
            assert_eq!(code, 0, "{text}");
            for extra in [[].as_slice(), ["--key", "et_test_other"].as_slice()] {
                let mut args = vec!["verify", provider, &capture, "--verbose"];
                args.extend(extra);
                let out = pay(&args, &env).await;
                run(args.iter().map(|s| (*s).to_owned()).collect(), out);
            }
        }

        // call: Easypay against a fake with these credentials (an RSA-signed out-payment
        // too), Easytransac dry runs of a card payment (V1) and a V2 read.
        let config = EasypayConfig::new(EP_ACCOUNT, EP_API_KEY)
            .with_out_payment_key(TEST_OUT_PAYMENT_PUBLIC_KEY)
            .expect("the test key");
        let fake = FakeServer::start(EasypayFake::new(config))
            .await
            .expect("starts");
        let base = fake.url("/2.0");
        let calls: Vec<Vec<String>> = vec![
            vec![
                "call", "easypay", "single_create", "--base-url", &base, "--verbose",
                "value=12.5", "method=mbw", "customer.phone=911234567",
                "capture.descriptive=Shop",
            ],
            vec![
                "call", "easypay", "out_payment_create", "--base-url", &base, "--verbose",
                "--data",
                r#"{"customer":{"name":"Ines"},"value":23.10,"method":"transfer","timestamp":"0","out_account":{"account_holder":"Ines","iban":"PT50000201231234567890155","email":"ines@example.org","phone":"913000222"}}"#,
            ],
            vec![
                "call", "easytransac", "v1_payment_direct", "--dry-run", "--verbose",
                "Amount=1999", &format!("CardNumber={CARD}"), "CardMonth=12", "CardYear=2030",
                "CardCVV=123", "ClientIp=127.0.0.1",
            ],
            vec![
                "call", "easytransac", "v2_transaction_status", "--dry-run", "--verbose",
                "tid=ET000001",
            ],
        ]
        .into_iter()
        .map(|args| args.into_iter().map(str::to_owned).collect())
        .collect();
        for args in calls {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = pay(&refs, &env).await;
            let (code, text) = run(args.clone(), out);
            assert_eq!(code, 0, "{text}");
        }
        assert!(
            fake.snapshot().resources().len() >= 2,
            "the payment and the out-payment exist"
        );

        // serve, verbose, with a call through it.
        let app = Receiver::easytransac(ET_KEY).await;
        let (mut served, urls) = serve_child(&app.url, &env);
        let args = vec![
            "call".to_owned(),
            "easytransac".to_owned(),
            "v1_payment_direct".to_owned(),
            "--base-url".to_owned(),
            urls,
            "--verbose".to_owned(),
            "Amount=1999".to_owned(),
            format!("CardNumber={CARD}"),
            "CardMonth=12".to_owned(),
            "CardYear=2030".to_owned(),
            "CardCVV=123".to_owned(),
            "ClientIp=127.0.0.1".to_owned(),
        ];
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = pay(&refs, &env).await;
        let (code, text) = run(args.clone(), out);
        assert_eq!(code, 0, "{text}");
        app.wait_for(1).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let _ = served.0.kill();
        let _ = served.0.wait();
        let log = served.1.join().unwrap_or_default();
        assert!(log.contains("v1_payment_direct"), "{log}");
        outputs.push(("serve --verbose".to_owned(), log));

        for secret in never_shown() {
            for (args, output) in &outputs {
                assert!(
                    !output.contains(&secret),
                    "`pay {args}` showed a secret ({} characters): {output}",
                    secret.len()
                );
            }
        }
    }

    /// `pay serve easytransac --verbose` as a child; its stdout and stderr, joined, come
    /// back from the thread once it is killed.
    fn serve_child(
        forward_to: &str,
        env: &[(&str, &str)],
    ) -> (
        (std::process::Child, std::thread::JoinHandle<String>),
        String,
    ) {
        let mut child = command(
            &[
                "serve",
                "easytransac",
                "--forward-to",
                forward_to,
                "--verbose",
            ],
            env,
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pay serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        reader.read_line(&mut first).expect("the first line");
        let url = first
            .split_whitespace()
            .nth(1)
            .expect("the base URL")
            .to_owned();
        let thread = std::thread::spawn(move || {
            let mut text = first;
            let _ = std::io::Read::read_to_string(&mut reader, &mut text);
            let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
            text
        });
        ((child, thread), url)
    }
}

/// Flags refused rather than ignored, errors as JSON documents, files written privately,
/// answers told apart (refused, timed out, 5xx).
mod strictness {
    use super::*;

    /// The `error` object of a JSON document on stdout, with its exit code checked.
    fn error_of(stdout: &str, code: i32) -> serde_json::Value {
        let document = json(stdout);
        assert_eq!(document["ok"], false, "{stdout}");
        let error = document["error"].clone();
        assert_eq!(error["exit_code"], code, "{stdout}");
        assert!(error["kind"].is_string(), "{stdout}");
        assert!(error["message"].is_string(), "{stdout}");
        error
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn flags_that_do_not_apply_are_refused() {
        for args in [
            &[
                "trigger",
                "easytransac",
                "payment.captured",
                "--failed",
                "--output",
                "x",
            ][..],
            &[
                "trigger",
                "easypay",
                "transaction",
                "--failed",
                "--output",
                "x",
            ],
            &[
                "trigger",
                "easypay",
                "generic.refund",
                "--format",
                "json",
                "--output",
                "x",
            ],
            &["trigger", "--list", "easytransac", "payment.captured"],
            &[
                "trigger",
                "--list",
                "--forward-to",
                "http://127.0.0.1:9/hooks",
            ],
            &["call", "easypay", "--list", "--dry-run"],
            &["call", "easypay", "single_create", "--describe", "value=1"],
        ] {
            let (code, stdout, stderr) = pay(args, &[]).await;
            assert_eq!(code, 2, "{args:?}: {stdout}\n{stderr}");
        }
        assert!(!std::path::Path::new("x").exists(), "nothing written");
        let (code, stdout, stderr) = pay(&["completions", "bash", "--json"], &[]).await;
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(error_of(&stdout, 2)["kind"], "usage");
        // `--amount -5` reaches the amount's own rule, not clap's "unexpected argument".
        let (code, _, stderr) = pay(
            &[
                "trigger",
                "easypay",
                "transaction",
                "--amount",
                "-5",
                "--output",
                "x",
            ],
            &[],
        )
        .await;
        assert_eq!(code, 2);
        assert!(stderr.contains("must be more than zero"), "{stderr}");
        // A missing --forward-to: the usage shows the forms, not the credential flags as
        // if they were required.
        let (code, _, stderr) = pay(
            &["trigger", "easytransac", "payment.captured"],
            &[
                ("EASYTRANSAC_API_KEY", ET_KEY),
                ("EASYPAY_NOTIFICATION_USER", HOOK_USER),
            ],
        )
        .await;
        assert_eq!(code, 2);
        assert!(stderr.contains("--forward-to <URL>"), "{stderr}");
        assert!(
            !stderr.contains("--key <KEY>") && !stderr.contains("--user"),
            "{stderr}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn errors_are_json_documents_with_json() {
        // Usage error from the parser.
        let (code, stdout, stderr) = pay(&["call", "easypay", "no_such_op", "--json"], &[]).await;
        assert_eq!(code, 2);
        assert_eq!(error_of(&stdout, 2)["kind"], "usage");
        assert!(
            stderr.contains("no_such_op"),
            "the text stays on stderr: {stderr}"
        );
        // Configuration: a missing variable.
        let (code, stdout, stderr) =
            pay(&["call", "easypay", "single_get", "id=x", "--json"], &[]).await;
        assert_eq!(code, 4);
        let error = error_of(&stdout, 4);
        assert_eq!(error["kind"], "configuration");
        assert!(
            error["message"]
                .as_str()
                .expect("message")
                .contains("EASYPAY_ACCOUNT_ID")
        );
        assert!(stderr.contains("EASYPAY_ACCOUNT_ID"), "{stderr}");
        // Invalid request: nothing sent.
        let (code, stdout, _) = pay(
            &[
                "call",
                "easypay",
                "single_create",
                "value=0.10",
                "method=mbw",
                "--json",
            ],
            &[],
        )
        .await;
        assert_eq!(code, 1);
        assert_eq!(error_of(&stdout, 1)["kind"], "invalid_request");
        // An unreadable capture.
        let (code, stdout, _) = pay(&["verify", "easypay", "/no/such/file", "--json"], &[]).await;
        assert_eq!(code, 4);
        error_of(&stdout, 4);
        // A refused delivery target.
        let (code, stdout, _) = pay(
            &[
                "trigger",
                "easypay",
                "transaction",
                "--forward-to",
                "http://example.org/",
                "--json",
            ],
            &[],
        )
        .await;
        assert_eq!(code, 2);
        error_of(&stdout, 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn output_files_are_private_and_never_overwritten_silently() {
        let path = temp_file("private.http");
        let _ = std::fs::remove_file(&path);
        let text = path.to_str().expect("utf-8").to_owned();
        let creds = [
            ("EASYPAY_NOTIFICATION_USER", HOOK_USER),
            ("EASYPAY_NOTIFICATION_PASSWORD", HOOK_PASSWORD),
        ];
        let args = [
            "trigger",
            "easypay",
            "transaction",
            "--output",
            text.as_str(),
        ];
        let (code, stdout, stderr) = pay(&args, &creds).await;
        assert_eq!(code, 0, "{stdout}\n{stderr}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .expect("written")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
        let first = std::fs::read(&path).expect("read");
        assert!(String::from_utf8_lossy(&first).contains("Authorization: Basic"));

        // Again: refused, the file untouched.
        let (code, stdout, stderr) = pay(&[&args[..], &["--json"]].concat(), &creds).await;
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("--force"), "{stderr}");
        error_of(&stdout, 2);
        assert_eq!(std::fs::read(&path).expect("read"), first);

        // --force replaces it, and a world-readable file becomes private.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        }
        let (code, _, stderr) = pay(&[&args[..], &["--force"]].concat(), &creds).await;
        assert_eq!(code, 0, "{stderr}");
        assert_ne!(
            std::fs::read(&path).expect("read"),
            first,
            "a fresh notification"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .expect("written")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
        // --force without --output is a usage error.
        let (code, _, _) = pay(
            &[
                "trigger",
                "easypay",
                "transaction",
                "--forward-to",
                "http://127.0.0.1:9/",
                "--force",
            ],
            &[],
        )
        .await;
        assert_eq!(code, 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn base_urls_are_a_local_fake_or_the_providers_hosts() {
        let env = [
            ("EASYPAY_ACCOUNT_ID", EP_ACCOUNT),
            ("EASYPAY_API_KEY", EP_API_KEY),
        ];
        for url in [
            "https://any-host.example/2.0",
            "http://10.1.2.3/2.0",
            "ftp://127.0.0.1/",
        ] {
            let (code, _, stderr) = pay(
                &[
                    "call",
                    "easypay",
                    "single_get",
                    "id=x",
                    "--base-url",
                    url,
                    "--dry-run",
                ],
                &env,
            )
            .await;
            assert_eq!(code, 2, "{url}: {stderr}");
            assert!(stderr.contains("--base-url"), "{stderr}");
            assert!(!stderr.contains("PAY_BASE_URL"), "{stderr}");
        }
        // Credentials in the URL are refused without being echoed.
        let (code, _, stderr) = pay(
            &[
                "call",
                "easypay",
                "single_get",
                "id=x",
                "--base-url",
                "http://me:pw-in-url-secret@127.0.0.1:9/2.0",
                "--dry-run",
            ],
            &env,
        )
        .await;
        assert_eq!(code, 2);
        assert!(!stderr.contains("pw-in-url-secret"), "{stderr}");
        // The provider's own host, and any host with --allow-any-host (dry runs: nothing
        // leaves the machine).
        for args in [
            &["--base-url", "https://api.test.easypay.pt/2.0"][..],
            &[
                "--base-url",
                "https://any-host.example/2.0",
                "--allow-any-host",
            ],
        ] {
            let mut all = vec![
                "call",
                "easypay",
                "single_get",
                "id=x",
                "--dry-run",
                "--json",
            ];
            all.extend(args);
            let (code, stdout, stderr) = pay(&all, &env).await;
            assert_eq!(code, 0, "{args:?}: {stderr}");
            assert!(
                stdout.contains(&format!("{}/single/x", args[1])),
                "{stdout}"
            );
        }
        // The variable keeps pay::Config's rule and its exit code (configuration).
        let (code, _, stderr) = pay(
            &["call", "easypay", "single_get", "id=x", "--dry-run"],
            &[env[0], env[1], ("PAY_BASE_URL", "not a url")],
        )
        .await;
        assert_eq!(code, 4, "{stderr}");
        assert!(stderr.contains("PAY_BASE_URL"), "{stderr}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn call_errors_name_the_operation_called_and_the_cause() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let (code, stdout, stderr) = pay(
            &[
                "call",
                "easytransac",
                "v1_payment_status",
                "OrderId=o-1",
                "--base-url",
                &format!("http://127.0.0.1:{port}"),
                "--json",
            ],
            &[("EASYTRANSAC_API_KEY", ET_KEY)],
        )
        .await;
        assert_eq!(code, 3, "{stderr}");
        assert!(stderr.contains("v1_payment_status"), "{stderr}");
        assert!(!stderr.contains("raw"), "{stderr}");
        assert!(
            stderr.to_lowercase().contains("connection refused"),
            "{stderr}"
        );
        let error = error_of(&stdout, 3);
        assert_eq!(error["operation"], "v1_payment_status");
        assert!(
            error["cause"]
                .as_str()
                .expect("cause")
                .to_lowercase()
                .contains("refused")
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_5xx_is_not_a_refusal() {
        let app = Receiver::start(Arc::new(|_: &Received| 500)).await;
        let (code, stdout, _) = pay(
            &[
                "trigger",
                "easytransac",
                "payment.captured",
                "--forward-to",
                &app.url,
                "--tamper",
                "--unsigned",
                "--json",
            ],
            &[],
        )
        .await;
        assert_eq!(code, 1, "{stdout}");
        let report = json(&stdout);
        assert_eq!(report["error"]["kind"], "wrong_answer");
        let deliveries = report["deliveries"].as_array().expect("deliveries");
        assert_eq!(deliveries.len(), 3);
        for d in &deliveries[1..] {
            assert_eq!(d["ok"], false, "{d}");
            assert!(
                d["verdict"]
                    .as_str()
                    .expect("verdict")
                    .contains("refused with 5xx"),
                "{d}"
            );
        }
        // A 4xx is the refusal.
        let app = Receiver::start(Arc::new(|r: &Received| {
            if r.headers.iter().any(|(k, _)| k == "authorization") {
                200
            } else {
                403
            }
        }))
        .await;
        let (code, stdout, _) = pay(
            &[
                "trigger",
                "easypay",
                "transaction",
                "--forward-to",
                &app.url,
                "--unsigned",
            ],
            &[],
        )
        .await;
        assert_eq!(code, 0, "{stdout}");
        assert!(stdout.contains("refused, as it must"), "{stdout}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_silent_app_is_a_timeout_not_a_closed_port() {
        // Accepts connections, reads, never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hooks", listener.local_addr().expect("addr"));
        let silent = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let (code, stdout, _) = pay(
            &[
                "trigger",
                "easypay",
                "transaction",
                "--forward-to",
                &url,
                "--timeout",
                "1",
            ],
            &[],
        )
        .await;
        assert_eq!(code, 3, "{stdout}");
        assert!(stdout.contains("did not answer within 1 s"), "{stdout}");
        assert!(!stdout.contains("is it running"), "{stdout}");
        let (code, stdout, _) = pay(
            &[
                "trigger",
                "easypay",
                "transaction",
                "--forward-to",
                &url,
                "--timeout",
                "1",
                "--json",
            ],
            &[],
        )
        .await;
        assert_eq!(code, 3);
        let report = json(&stdout);
        assert_eq!(report["deliveries"][0]["error_kind"], "timeout");
        assert_eq!(report["error"]["kind"], "no_answer");
        silent.abort();

        // A closed port: refused.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let (code, stdout, _) = pay(
            &[
                "trigger",
                "easypay",
                "transaction",
                "--json",
                "--forward-to",
                &format!("http://127.0.0.1:{port}/hooks"),
            ],
            &[],
        )
        .await;
        assert_eq!(code, 3);
        assert_eq!(json(&stdout)["deliveries"][0]["error_kind"], "refused");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn credentials_in_a_forward_url_are_refused_unechoed() {
        for command in [
            &["trigger", "easypay", "transaction", "--forward-to"][..],
            &["serve", "easypay", "--forward-to"],
        ] {
            let mut args = command.to_vec();
            args.push("http://user:pw-leak-check@127.0.0.1:3000/hooks");
            let (code, stdout, stderr) = pay(&args, &[]).await;
            assert_eq!(code, 2, "{stderr}");
            assert!(stderr.contains("credentials"), "{stderr}");
            assert!(
                !format!("{stdout}{stderr}").contains("pw-leak-check"),
                "{stderr}"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn describe_shows_conditional_requirements() {
        let (code, stdout, _) = pay(
            &["call", "easypay", "single_create", "--describe", "--json"],
            &[],
        )
        .await;
        assert_eq!(code, 0);
        let fields = json(&stdout)["fields"].clone();
        let field = |name: &str| {
            fields
                .as_array()
                .expect("fields")
                .iter()
                .find(|f| f["name"] == name)
                .cloned()
                .unwrap_or_else(|| panic!("{name}"))
        };
        assert_eq!(
            field("sdd_mandate")["required_when"][0],
            "required when method is dd"
        );
        assert!(
            field("capture")["required_when"][0]
                .as_str()
                .expect("condition")
                .starts_with("required when type is sale")
        );
        let (_, stdout, _) = pay(&["call", "easypay", "single_create", "--describe"], &[]).await;
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with("sdd_mandate "))
            .expect("sdd_mandate line");
        assert!(
            line.contains("cond.") && line.contains("method is dd"),
            "{line}"
        );
    }
}
