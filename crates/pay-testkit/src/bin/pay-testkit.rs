//! `pay-testkit`: serves a provider fake on 127.0.0.1 until Ctrl-C, for the demo and for
//! trying a client by hand.
//!
//! ```text
//! pay-testkit serve --provider NAME [--port N] [--notify URL] [--out-payment-key PATH]
//! pay-testkit providers
//! pay-testkit --help
//! ```
//!
//! `serve` prints the base URL clients use (for Easypay with its `/2.0`) on the first line
//! of standard output, then serves.
//! `--notify URL` sends the fake's notifications to `URL` (loopback only) as they fall
//! due. `--out-payment-key PATH` (Easypay only) verifies out-payment signatures with the
//! RSA public key in the PEM file at `PATH` (SPKI `BEGIN PUBLIC KEY`, or PKCS#1
//! `BEGIN RSA PUBLIC KEY`) instead of the documented test key, so a client in any
//! language can sign with its own key. The fake's clock is a manual clock started at the current time; the Easytransac
//! fake's scenario controls (pay a page, finish 3-D Secure, settle a debit, advance the
//! clock) answer `POST /_testkit/…` (see `pay_testkit::easytransac`).
//! Exit codes: 0 after Ctrl-C, 1 when the port cannot be bound or the fake misbehaved,
//! 2 for a usage error or a provider that is not available.

// Standard output and error are this binary's interface.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::process::ExitCode;

use pay_testkit::easypay::{EasypayConfig, EasypayFake};
use pay_testkit::{FakeProvider, FakeServer, registry};

const USAGE: &str = "\
usage:
  pay-testkit serve --provider NAME [--port N] [--notify URL] [--out-payment-key PATH]
                                                 serve a provider fake on 127.0.0.1 until Ctrl-C,
                                                 notifications to URL (loopback) when given;
                                                 easypay: out-payments verified with the RSA
                                                 public key (PEM) at PATH, else the test key
  pay-testkit providers                          list the provider fakes available
  pay-testkit --help                             show this help
";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Serve {
        provider: String,
        port: u16,
        notify: Option<String>,
        out_payment_key: Option<String>,
    },
    Providers,
    Help,
}

fn parse(args: &[String]) -> Result<Command, String> {
    let mut args = args.iter().map(String::as_str);
    match args.next() {
        None => Err("no command given".to_owned()),
        Some("-h" | "--help" | "help") => Ok(Command::Help),
        Some("providers") => match args.next() {
            None => Ok(Command::Providers),
            Some(extra) => Err(format!("unexpected argument `{extra}`")),
        },
        Some("serve") => {
            let mut provider = None;
            let mut port = 0;
            let mut notify = None;
            let mut out_payment_key = None;
            while let Some(arg) = args.next() {
                let (flag, inline) = match arg.split_once('=') {
                    Some((flag, value)) => (flag, Some(value)),
                    None => (arg, None),
                };
                let mut value = || {
                    inline
                        .or_else(|| args.next())
                        .ok_or_else(|| format!("`{flag}` needs a value"))
                };
                match flag {
                    "--provider" => provider = Some(value()?.to_owned()),
                    "--port" => {
                        let text = value()?;
                        port = text
                            .parse()
                            .map_err(|_| format!("`{text}` is not a port number (0 to 65535)"))?;
                    }
                    "--notify" => notify = Some(value()?.to_owned()),
                    "--out-payment-key" => out_payment_key = Some(value()?.to_owned()),
                    other => return Err(format!("unexpected argument `{other}`")),
                }
            }
            let provider = provider.ok_or_else(|| "`serve` needs `--provider NAME`".to_owned())?;
            if out_payment_key.is_some() && !provider.eq_ignore_ascii_case("easypay") {
                return Err("`--out-payment-key` is for `--provider easypay`".to_owned());
            }
            Ok(Command::Serve {
                provider,
                port,
                notify,
                out_payment_key,
            })
        }
        Some(other) => Err(format!("unknown command `{other}`")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The fake's clock: now, moved only by the scenario controls.
    let clock = pay_core::ManualClock::new(std::time::SystemTime::now());
    match parse(&args) {
        Err(message) => {
            eprintln!("pay-testkit: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Ok(Command::Help) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Command::Providers) => {
            if registry::AVAILABLE.is_empty() {
                println!("no provider fakes are available yet");
            }
            for entry in registry::AVAILABLE {
                println!("{:<14} {}", entry.name, entry.description);
            }
            ExitCode::SUCCESS
        }
        Ok(Command::Serve {
            provider,
            port,
            notify,
            out_payment_key,
        }) => match make_fake(
            &provider,
            notify.as_deref(),
            out_payment_key.as_deref(),
            &clock,
        ) {
            Err(message) => {
                eprintln!("pay-testkit: {message}");
                ExitCode::from(2)
            }
            Ok(fake) => match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime.block_on(serve(fake, port, clock)),
                Err(err) => {
                    eprintln!("pay-testkit: cannot start the async runtime: {err}");
                    ExitCode::FAILURE
                }
            },
        },
    }
}

/// The fake to serve: the registry's, or for `--out-payment-key` an Easypay fake
/// verifying out-payments with the public key read from that file.
fn make_fake(
    provider: &str,
    notify: Option<&str>,
    out_payment_key: Option<&str>,
    clock: &pay_core::ManualClock,
) -> Result<Box<dyn FakeProvider>, String> {
    let Some(path) = out_payment_key else {
        return registry::make_for_serving(provider, notify, clock).map_err(|e| e.to_string());
    };
    let pem = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read the out-payment key `{path}`: {err}"))?;
    let config = EasypayConfig::for_serving(notify, Some(&pem))
        .map_err(|err| format!("the out-payment key `{path}`: {err}"))?;
    Ok(Box::new(EasypayFake::new(config)))
}

async fn serve(fake: Box<dyn FakeProvider>, port: u16, clock: pay_core::ManualClock) -> ExitCode {
    let server = match FakeServer::builder()
        .port(port)
        .clock(clock)
        .start(fake)
        .await
    {
        Ok(server) => server,
        Err(err) => {
            eprintln!("pay-testkit: cannot listen on 127.0.0.1:{port}: {err}");
            return ExitCode::FAILURE;
        }
    };
    // Notifications go out as they fall due (to loopback receivers only).
    server.webhooks().set_automatic(true);
    let name = server.provider().name();
    let entry = registry::AVAILABLE.iter().find(|entry| entry.name == name);
    // The base URL a client uses, path included (Easypay's `/2.0`).
    println!(
        "{}",
        server.url(entry.map_or("", |entry| entry.client_path))
    );
    let _ = std::io::stdout().flush();
    // The registry's one-line description carries the credentials the fake accepts.
    let about = entry.map_or("", |entry| entry.description);
    eprintln!(
        "pay-testkit: serving the {name} fake at {} ({about}); Ctrl-C to stop",
        server.base_url()
    );
    if let Err(err) = tokio::signal::ctrl_c().await {
        eprintln!("pay-testkit: cannot wait for Ctrl-C: {err}");
    }
    match server.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(problems) => {
            eprintln!("{problems}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_the_command_line() {
        assert_eq!(
            parse(&args("serve --provider easypay --port 8080")),
            Ok(Command::Serve {
                provider: "easypay".to_owned(),
                port: 8080,
                notify: None,
                out_payment_key: None,
            })
        );
        assert_eq!(
            parse(&args("serve --port=9 --provider=easytransac")),
            Ok(Command::Serve {
                provider: "easytransac".to_owned(),
                port: 9,
                notify: None,
                out_payment_key: None,
            })
        );
        assert_eq!(
            parse(&args("serve --provider x")),
            Ok(Command::Serve {
                provider: "x".to_owned(),
                port: 0,
                notify: None,
                out_payment_key: None,
            })
        );
        assert_eq!(
            parse(&args(
                "serve --provider easytransac --notify http://127.0.0.1:9/n"
            )),
            Ok(Command::Serve {
                provider: "easytransac".to_owned(),
                port: 0,
                notify: Some("http://127.0.0.1:9/n".to_owned()),
                out_payment_key: None,
            })
        );
        assert_eq!(parse(&args("providers")), Ok(Command::Providers));
        assert_eq!(parse(&args("--help")), Ok(Command::Help));
        for (line, error) in [
            ("", "no command given"),
            ("serve", "`serve` needs `--provider NAME`"),
            ("serve --provider", "`--provider` needs a value"),
            ("serve --provider x --notify", "`--notify` needs a value"),
            (
                "serve --provider x --port 70000",
                "`70000` is not a port number (0 to 65535)",
            ),
            (
                "serve --provider x --verbose",
                "unexpected argument `--verbose`",
            ),
            (
                "serve --provider easypay --out-payment-key",
                "`--out-payment-key` needs a value",
            ),
            (
                "serve --provider easytransac --out-payment-key k.pem",
                "`--out-payment-key` is for `--provider easypay`",
            ),
            ("providers all", "unexpected argument `all`"),
            ("start", "unknown command `start`"),
        ] {
            assert_eq!(parse(&args(line)), Err(error.to_owned()), "{line}");
        }
    }

    #[test]
    fn parses_the_out_payment_key() {
        assert_eq!(
            parse(&args(
                "serve --provider easypay --out-payment-key keys/ours.pem"
            )),
            Ok(Command::Serve {
                provider: "easypay".to_owned(),
                port: 0,
                notify: None,
                out_payment_key: Some("keys/ours.pem".to_owned()),
            })
        );
    }

    const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/easypay/keys");

    /// A fake made as `serve` makes it from `line`, on loopback, with `clock`.
    async fn served(
        line: &str,
        clock: &pay_core::ManualClock,
    ) -> FakeServer<Box<dyn FakeProvider>> {
        let Ok(Command::Serve {
            provider,
            notify,
            out_payment_key,
            ..
        }) = parse(&args(line))
        else {
            panic!("not a serve command: {line}")
        };
        let fake = make_fake(
            &provider,
            notify.as_deref(),
            out_payment_key.as_deref(),
            clock,
        )
        .expect("a fake");
        FakeServer::builder()
            .clock(clock.clone())
            .start(fake)
            .await
            .expect("the server starts")
    }

    /// Creates an out-payment at `url`, signed with the private key in `key_file`.
    async fn pay_out(
        url: String,
        key_file: &str,
        clock: &pay_core::ManualClock,
    ) -> Result<(), pay_core::PayError> {
        use pay_easypay::{AccountId, ApiKey, EasypayClient, wire};
        use pay_testkit::easypay::{SANDBOX_ACCOUNT_ID, SANDBOX_API_KEY};

        let pem = std::fs::read_to_string(format!("{KEYS}/{key_file}")).expect("a key file");
        let client = EasypayClient::builder(
            AccountId::new(SANDBOX_ACCOUNT_ID),
            ApiKey::new(SANDBOX_API_KEY),
        )
        .base_url(url)
        .clock(std::sync::Arc::new(clock.clone()))
        .out_payment_key_pem(&secrecy::SecretString::from(pem))?
        .build()?;
        let request: wire::OutPaymentCreateRequest = serde_json::from_str(
            r#"{"customer":{"name":"Ines"},"value":23.10,"method":"transfer","timestamp":"0",
                "out_account":{"account_holder":"Ines","iban":"PT50000201231234567890155",
                "email":"ines@example.org","phone":"913000222"}}"#,
        )
        .expect("a request");
        let created = client
            .out_payments()
            .create(&request, &pay_core::CallOptions::new())
            .await?;
        assert!(created.id.is_some());
        Ok(())
    }

    #[tokio::test]
    async fn out_payments_are_verified_with_the_key_given() {
        let clock = pay_core::ManualClock::new(std::time::SystemTime::now());
        // An SPKI and a PKCS#1 public key: the private half signs, another key is refused.
        for (public, private, other) in [
            (
                "test-rsa-3072-public-spki.pem",
                "test-rsa-3072-pkcs8.pem",
                "test-rsa-2048-pkcs8.pem",
            ),
            (
                "test-rsa-2048-public-pkcs1.pem",
                "test-rsa-2048-pkcs1.pem",
                "test-rsa-3072-pkcs8.pem",
            ),
        ] {
            let server = served(
                &format!("serve --provider easypay --out-payment-key {KEYS}/{public}"),
                &clock,
            )
            .await;
            pay_out(server.url("/2.0"), private, &clock)
                .await
                .unwrap_or_else(|e| panic!("{public}: signed with {private}: {e}"));
            let refused = pay_out(server.url("/2.0"), other, &clock)
                .await
                .expect_err("signed with another key");
            assert_eq!(refused.kind(), &pay_core::ErrorKind::Authentication);
        }

        // Without the flag, the documented test key.
        let default = served("serve --provider easypay", &clock).await;
        pay_out(default.url("/2.0"), "test-rsa-2048-pkcs8.pem", &clock)
            .await
            .expect("the documented test key");
    }

    #[test]
    fn an_unreadable_or_unusable_key_is_a_usage_error() {
        let clock = pay_core::ManualClock::new(std::time::SystemTime::now());
        for (file, expected) in [
            ("no-such-key.pem", "cannot read the out-payment key"),
            ("test-ec-p256-not-rsa.pem", "the out-payment key"),
            ("test-rsa-1024-too-small.pem", "the out-payment key"),
        ] {
            let path = format!("{KEYS}/{file}");
            let Err(message) = make_fake("easypay", None, Some(&path), &clock) else {
                panic!("{file} was accepted")
            };
            assert!(message.contains(expected), "{file}: {message}");
            assert!(message.contains(file), "{message}");
        }
    }
}
