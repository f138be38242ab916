//! `pay-testkit`: serves a provider fake on 127.0.0.1 until Ctrl-C, for the demo and for
//! trying a client by hand.
//!
//! ```text
//! pay-testkit serve --provider NAME [--port N] [--notify URL]
//! pay-testkit providers
//! pay-testkit --help
//! ```
//!
//! `serve` prints the base URL on the first line of standard output, then serves.
//! `--notify URL` sends the fake's notifications to `URL` (loopback only) as they fall
//! due. The fake's clock is a manual clock started at the current time; the Easytransac
//! fake's scenario controls (pay a page, finish 3-D Secure, settle a debit, advance the
//! clock) answer `POST /_testkit/…` (see `pay_testkit::easytransac`).
//! Exit codes: 0 after Ctrl-C, 1 when the port cannot be bound or the fake misbehaved,
//! 2 for a usage error or a provider that is not available.

// Standard output and error are this binary's interface.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::process::ExitCode;

use pay_testkit::{FakeProvider, FakeServer, registry};

const USAGE: &str = "\
usage:
  pay-testkit serve --provider NAME [--port N] [--notify URL]
                                                 serve a provider fake on 127.0.0.1 until Ctrl-C,
                                                 notifications to URL (loopback) when given
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
                    other => return Err(format!("unexpected argument `{other}`")),
                }
            }
            let provider = provider.ok_or_else(|| "`serve` needs `--provider NAME`".to_owned())?;
            Ok(Command::Serve {
                provider,
                port,
                notify,
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
        }) => match registry::make_for_serving(&provider, notify.as_deref(), &clock) {
            Err(unknown) => {
                eprintln!("pay-testkit: {unknown}");
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
    println!("{}", server.base_url());
    let _ = std::io::stdout().flush();
    let name = server.provider().name();
    // The registry's one-line description carries the credentials the fake accepts.
    let about = registry::AVAILABLE
        .iter()
        .find(|entry| entry.name == name)
        .map_or("", |entry| entry.description);
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
            })
        );
        assert_eq!(
            parse(&args("serve --port=9 --provider=easytransac")),
            Ok(Command::Serve {
                provider: "easytransac".to_owned(),
                port: 9,
                notify: None,
            })
        );
        assert_eq!(
            parse(&args("serve --provider x")),
            Ok(Command::Serve {
                provider: "x".to_owned(),
                port: 0,
                notify: None,
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
            ("providers all", "unexpected argument `all`"),
            ("start", "unknown command `start`"),
        ] {
            assert_eq!(parse(&args(line)), Err(error.to_owned()), "{line}");
        }
    }
}
