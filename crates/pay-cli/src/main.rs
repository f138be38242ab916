//! `pay`: command-line tools for integrating Easytransac and Easypay.
//!
//! ```text
//! pay trigger --list | <PROVIDER> <EVENT> --forward-to URL   send a signed notification to your app
//! pay serve [PROVIDER...] [--forward-to URL]                  run the fakes, forward their notifications
//! pay verify <PROVIDER> [FILE]                                check a captured notification
//! pay call <PROVIDER> --list | <OPERATION> [field=value...]   call any operation (or --dry-run)
//! pay completions <SHELL>                                     shell completion script
//! ```
//!
//! Human output by default, `--json` for scripts (errors too: a document with an `error`
//! object on standard output, the text on standard error). Exit codes: 0 success; 1 the
//! thing checked failed (the app answered a delivery wrongly, a notification does not
//! verify, the provider refused the call or the request is invalid); 2 usage error (a
//! flag that does not apply, a URL refused); 3 no answer (connection refused, timeout,
//! outcome unknown); 4 configuration (a credential variable missing or malformed, a file
//! that cannot be read or written). See `docs/cli.md`.
//!
//! Secrets never reach the output: keys are read from the environment (or flags) and
//! only ever used; requests and answers shown are redacted.

// Standard output and error are this binary's interface.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod call;
mod deliver;
mod describe;
mod events;
mod serve;
mod trigger;
mod verbose;
mod verify;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::builder::PossibleValuesParser;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;
use serde_json::json;

/// Success.
const OK: u8 = 0;
/// The thing checked failed: a delivery answered wrongly, a notification that does not
/// verify, a call the provider (or the description's checks) refused.
const FAILED: u8 = 1;
/// Usage error (clap's own code).
const USAGE: u8 = 2;
/// No answer: connection refused, timeout, outcome unknown.
const NO_ANSWER: u8 = 3;
/// Configuration: a credential missing or malformed, a file that cannot be read or written.
const CONFIG: u8 = 4;

/// The `kind` of an error document for an exit code.
fn kind_of(code: u8) -> &'static str {
    match code {
        FAILED => "failed",
        USAGE => "usage",
        NO_ANSWER => "no_answer",
        CONFIG => "configuration",
        _ => "error",
    }
}

/// The Basic credentials `pay trigger`, `pay serve` and `pay verify` use for Easypay
/// notifications when none are given: test values, not secrets of anyone's.
const DEFAULT_EASYPAY_USER: &str = "pay-testkit";
const DEFAULT_EASYPAY_PASSWORD: &str = "pay-testkit-notification-password";

/// A payment provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Provider {
    /// Easytransac (France): V1 signed forms, V2 JSON.
    Easytransac,
    /// Easypay (Portugal): API 2.0.
    Easypay,
}

impl Provider {
    /// Its name on the command line.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Provider::Easytransac => "easytransac",
            Provider::Easypay => "easypay",
        }
    }
}

/// Command-line tools for Easytransac and Easypay integrations: rehearse notifications
/// against your local app, run the fake providers, verify a captured notification, call
/// any operation.
///
/// Exit codes: 0 ok; 1 the thing checked failed (a delivery answered wrongly, a
/// notification that does not verify, a call refused); 2 usage (a flag that does not
/// apply, a URL refused); 3 no answer (connection refused, timeout, outcome unknown); 4
/// configuration (missing credentials, a file that cannot be read or written).
#[derive(Debug, Parser)]
#[command(name = "pay", version, propagate_version = true)]
struct Cli {
    /// Machine-readable JSON on standard output instead of text; an error is a document
    /// with an `error` object (kind, message, exit_code), its text still on standard error.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build a notification for a documented event, sign it as the provider does and POST
    /// it to your app; report the app's answer and timing.
    ///
    /// A genuine or duplicate delivery must be accepted (2xx); a tampered or unsigned one
    /// refused with a 4xx (a 5xx is a failure, which providers retry, not a refusal). Exit
    /// 1 when the app does otherwise, 3 when it cannot be reached or does not answer in
    /// time.
    Trigger(TriggerArgs),
    /// Serve the fake providers on 127.0.0.1, forward every notification they emit to your
    /// app, and log requests and deliveries live (secrets redacted). Ctrl-C stops.
    Serve(ServeArgs),
    /// Check a captured notification (raw HTTP request, headers + body, or a body) with the
    /// key given, through the SDK's own verification, and explain a failure.
    ///
    /// Exit 0 when it verifies, 1 when it does not.
    Verify(VerifyArgs),
    /// Call any operation of the API descriptions through the adapters (validation,
    /// signing, retries, redaction), with credentials from the environment.
    ///
    /// Variables: PAY_ENVIRONMENT (sandbox, the default, or production), PAY_BASE_URL
    /// (another server, under pay::Config's rule: https://, or http:// to loopback),
    /// EASYTRANSAC_API_KEY, EASYPAY_ACCOUNT_ID, EASYPAY_API_KEY,
    /// EASYPAY_OUT_PAYMENT_KEY_FILE. Exit 1 when the request is invalid (nothing sent) or
    /// refused, 2 for a --base-url refused, 3 without an answer, 4 for missing or
    /// malformed credentials or variables.
    Call(CallArgs),
    /// Print a completion script for your shell (operation and event names included).
    ///
    /// Not with --json: the script is text for the shell.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Notification credentials, from flags or the environment.
#[derive(Debug, Args)]
struct KeyArgs {
    /// Easytransac API key that signs notifications [default: pay-testkit's test key].
    /// Prefer the variable: a command line is visible to other users of the machine.
    #[arg(long, env = "EASYTRANSAC_API_KEY", hide_env_values = true)]
    key: Option<String>,
    /// Easypay notification Basic user [default: pay-testkit].
    #[arg(long, env = "EASYPAY_NOTIFICATION_USER", hide_env_values = true)]
    user: Option<String>,
    /// Easypay notification Basic password [default: a test password].
    #[arg(long, env = "EASYPAY_NOTIFICATION_PASSWORD", hide_env_values = true)]
    password: Option<String>,
}

/// Notification credentials, resolved.
pub(crate) struct Creds {
    pub(crate) easytransac_key: SecretString,
    pub(crate) easytransac_given: bool,
    pub(crate) easypay_user: String,
    pub(crate) easypay_password: SecretString,
    pub(crate) easypay_given: bool,
    pub(crate) easypay_user_given: bool,
}

impl KeyArgs {
    fn resolve(&self) -> Creds {
        Creds {
            easytransac_key: SecretString::from(
                self.key
                    .clone()
                    .unwrap_or_else(|| pay::testkit::easytransac::TEST_API_KEY.to_owned()),
            ),
            easytransac_given: self.key.is_some(),
            easypay_user: self
                .user
                .clone()
                .unwrap_or_else(|| DEFAULT_EASYPAY_USER.to_owned()),
            easypay_password: SecretString::from(
                self.password
                    .clone()
                    .unwrap_or_else(|| DEFAULT_EASYPAY_PASSWORD.to_owned()),
            ),
            easypay_given: self.password.is_some(),
            easypay_user_given: self.user.is_some(),
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum BodyFormat {
    /// `application/x-www-form-urlencoded`, as the official SDK reads it.
    Form,
    /// `application/json`, as the PUSH page describes it.
    Json,
}

#[derive(Debug, Args)]
#[command(override_usage = "pay trigger --list\n       \
    pay trigger <PROVIDER> <EVENT> --forward-to <URL> [OPTIONS]\n       \
    pay trigger <PROVIDER> <EVENT> --output <FILE> [--force] [OPTIONS]")]
struct TriggerArgs {
    /// List every event of both providers.
    #[arg(long, conflicts_with_all = [
        "provider", "event", "forward_to", "output", "force", "format", "amount", "reference",
        "failed", "repeat", "duplicate", "tamper", "unsigned", "timeout",
    ])]
    list: bool,
    /// The provider.
    #[arg(required_unless_present = "list")]
    provider: Option<Provider>,
    /// The event (see --list).
    #[arg(required_unless_present = "list", value_parser = PossibleValuesParser::new(events::names()))]
    event: Option<String>,
    /// Your app's notification URL: http:// on 127.0.0.1, `[::1]` or localhost.
    #[arg(long, value_name = "URL", required_unless_present_any = ["list", "output"])]
    forward_to: Option<String>,
    /// Write the notification as a raw HTTP request to a new FILE (for `pay verify`)
    /// instead of sending it. The file holds its signature or Basic credentials header:
    /// it is created readable by you only (0600), and an existing file is refused.
    #[arg(long, value_name = "FILE", conflicts_with = "forward_to")]
    output: Option<PathBuf>,
    /// With --output: replace FILE if it exists (its mode becomes 0600).
    #[arg(long, requires = "output", conflicts_with = "forward_to")]
    force: bool,
    /// Easytransac body encoding [default: form]; Easypay's notifications are JSON.
    #[arg(long, value_enum)]
    format: Option<BodyFormat>,
    /// The amount, exact decimal text in euros.
    #[arg(long, default_value = "29.99", allow_hyphen_values = true)]
    amount: String,
    /// The merchant reference (Easytransac `OrderId`, Easypay `key`).
    #[arg(long, default_value = "order-1001")]
    reference: String,
    /// Easypay generic notifications (generic.*) only: status `failed` instead of
    /// `success`.
    #[arg(long)]
    failed: bool,
    /// Send N notifications, each for a fresh transaction.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    repeat: u32,
    /// Send each notification twice, byte for byte (a redelivery): accept both, act once.
    #[arg(long)]
    duplicate: bool,
    /// Also send a tampered copy (Easytransac: the amount changed after signing; Easypay:
    /// credentials that do not match): the app must refuse it.
    #[arg(long)]
    tamper: bool,
    /// Also send a copy without signature or credentials: the app must refuse it.
    #[arg(long)]
    unsigned: bool,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, conflicts_with = "output",
          value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: u64,
    /// Show each request as sent (credentials redacted).
    #[arg(long, short)]
    verbose: bool,
    #[command(flatten)]
    keys: KeyArgs,
}

#[derive(Debug, Args)]
#[command(override_usage = "pay serve [PROVIDER...] [--forward-to <URL>] [OPTIONS]")]
struct ServeArgs {
    /// The fakes to serve [default: both].
    providers: Vec<Provider>,
    /// The port (with one provider only) [default: any free port].
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Your app's notification URL (loopback): every notification the fakes emit goes there.
    #[arg(long, value_name = "URL")]
    forward_to: Option<String>,
    /// Also log each request's headers and body (redacted).
    #[arg(long, short)]
    verbose: bool,
    #[command(flatten)]
    keys: KeyArgs,
}

#[derive(Debug, Args)]
#[command(override_usage = "pay verify <PROVIDER> [FILE] [OPTIONS]")]
struct VerifyArgs {
    /// The provider.
    provider: Provider,
    /// The captured notification [default: standard input; `-` too].
    file: Option<PathBuf>,
    /// Treat the whole input as the body (no headers).
    #[arg(long)]
    body_only: bool,
    /// Show what was read (headers and body, redacted).
    #[arg(long, short)]
    verbose: bool,
    #[command(flatten)]
    keys: KeyArgs,
}

#[derive(Debug, Args)]
#[command(override_usage = "pay call <PROVIDER> --list\n       \
    pay call <PROVIDER> <OPERATION> --describe\n       \
    pay call <PROVIDER> <OPERATION> [FIELD=VALUE...] [--data <JSON>] [OPTIONS]")]
struct CallArgs {
    /// The provider.
    provider: Provider,
    /// The operation (see --list).
    #[arg(required_unless_present = "list", value_parser = PossibleValuesParser::new(describe::all_ids()))]
    operation: Option<String>,
    /// field=value (text, typed by the description) or field:=JSON; nested fields are
    /// dotted (customer.email); path parameters (id) and query parameters by name.
    #[arg(value_name = "FIELD=VALUE")]
    fields: Vec<String>,
    /// List the provider's operations.
    #[arg(long, conflicts_with_all = [
        "operation", "fields", "describe", "data", "dry_run", "idempotency_key", "base_url",
        "verbose",
    ])]
    list: bool,
    /// Show the operation's fields from the description instead of calling it.
    #[arg(long, conflicts_with_all = [
        "fields", "data", "dry_run", "idempotency_key", "base_url", "verbose",
    ])]
    describe: bool,
    /// The request body as a JSON object.
    #[arg(long, value_name = "JSON")]
    data: Option<String>,
    /// Print the request the adapter would send (redacted), send nothing.
    #[arg(long)]
    dry_run: bool,
    /// The idempotency key for a keyed write (Easypay) [default: a fresh one per call].
    #[arg(long, value_name = "KEY")]
    idempotency_key: Option<String>,
    /// Send to this base URL instead of PAY_BASE_URL or the environment's: a local fake
    /// (http:// on 127.0.0.1, `[::1]` or localhost) or one of the provider's own https://
    /// hosts (sandbox or production); any other host only with --allow-any-host.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// With --base-url: allow an https:// host that is neither a local fake nor the
    /// provider's (a proxy, a mock server of yours). Credentials are sent to it.
    #[arg(long, requires = "base_url")]
    allow_any_host: bool,
    /// On standard error: each attempt (number, outcome, status, retry decision, elapsed
    /// time) and the call's result (status, latency, request id, replay), from pay's own
    /// logs; never headers, bodies or keys. With --dry-run nothing is added (the request
    /// is already shown).
    #[arg(long, short)]
    verbose: bool,
}

/// Where a command's words go.
struct Out {
    stdout: Box<dyn Write + Send>,
    json: bool,
}

impl Out {
    fn line(&mut self, text: &str) {
        let _ = writeln!(self.stdout, "{text}");
    }

    fn json(&mut self, value: &serde_json::Value) {
        let _ = writeln!(
            self.stdout,
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        );
    }

    /// An error: its text on standard error and, with `--json`, a document on standard
    /// output (`{"ok": false, "error": {"kind", "message", "exit_code"}}`).
    fn fail(&mut self, code: u8, message: &str) -> ExitCode {
        self.fail_with(code, kind_of(code), message, &[])
    }

    /// [`Out::fail`] with a kind of its own and details (also printed, one per line).
    fn fail_with(
        &mut self,
        code: u8,
        kind: &str,
        message: &str,
        details: &[(&str, serde_json::Value)],
    ) -> ExitCode {
        eprintln!("pay: {message}");
        // Provider, operation and cause are in the message already.
        for (k, v) in details
            .iter()
            .filter(|(k, _)| !matches!(*k, "provider" | "operation" | "cause"))
        {
            match v {
                serde_json::Value::String(text) => eprintln!("  {k}: {text}"),
                other => eprintln!("  {k}: {other}"),
            }
        }
        if self.json {
            let mut error = json!({"kind": kind, "message": message, "exit_code": code});
            for (k, v) in details {
                error[*k] = v.clone();
            }
            self.json(&json!({"ok": false, "error": error}));
        }
        ExitCode::from(code)
    }
}

/// Whether `--json` was on the command line (for errors clap reports before parsing is
/// done).
fn json_requested() -> bool {
    std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            if !err.use_stderr() {
                return ExitCode::from(OK);
            }
            if json_requested() {
                let text = err.render().to_string();
                let message = text
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim_start_matches("error: ");
                let document = json!({"ok": false, "error": {
                    "kind": kind_of(USAGE), "message": message, "exit_code": USAGE,
                    "usage": text.trim(),
                }});
                println!(
                    "{}",
                    serde_json::to_string_pretty(&document).unwrap_or_default()
                );
            }
            return ExitCode::from(USAGE);
        }
    };
    let mut out = Out {
        stdout: Box::new(std::io::stdout()),
        json: cli.json,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => return out.fail(CONFIG, &format!("cannot start the async runtime: {err}")),
    };
    match cli.command {
        Command::Trigger(args) => runtime.block_on(trigger_command(args, &mut out)),
        Command::Serve(args) => runtime.block_on(serve_command(args, &mut out)),
        Command::Verify(args) => verify_command(&args, &mut out),
        Command::Call(args) => runtime.block_on(call_command(args, &mut out)),
        Command::Completions { shell } => {
            if out.json {
                return out.fail(
                    USAGE,
                    "completions prints a script for the shell, not JSON: leave out --json",
                );
            }
            clap_complete::generate(shell, &mut Cli::command(), "pay", &mut out.stdout);
            ExitCode::SUCCESS
        }
    }
}

fn list_events(out: &mut Out) -> ExitCode {
    if out.json {
        let events: Vec<serde_json::Value> = events::EVENTS
            .iter()
            .map(|e| json!({"provider": e.provider.as_str(), "event": e.name, "about": e.about}))
            .collect();
        let not_built: Vec<serde_json::Value> = events::UNDOCUMENTED
            .iter()
            .map(|(p, why)| json!({"provider": p.as_str(), "about": why}))
            .collect();
        out.json(&json!({"events": events, "not_built": not_built}));
        return ExitCode::SUCCESS;
    }
    for provider in [Provider::Easytransac, Provider::Easypay] {
        out.line(&format!("{}:", provider.as_str()));
        for e in events::EVENTS.iter().filter(|e| e.provider == provider) {
            out.line(&format!("  {:<28} {}", e.name, e.about));
        }
        for (_, why) in events::UNDOCUMENTED.iter().filter(|(p, _)| *p == provider) {
            out.line(&format!("  (not built: {why})"));
        }
    }
    out.line("Easytransac events are sent as a form by default; --format json for JSON.");
    ExitCode::SUCCESS
}

async fn trigger_command(args: TriggerArgs, out: &mut Out) -> ExitCode {
    if args.list {
        return list_events(out);
    }
    let (Some(provider), Some(name)) = (args.provider, args.event.as_deref()) else {
        return out.fail(
            USAGE,
            "give a provider and an event (see `pay trigger --list`)",
        );
    };
    let Some(event) = events::find(provider, name) else {
        return out.fail(
            USAGE,
            &format!(
                "`{name}` is not an event of {} (see `pay trigger --list`)",
                provider.as_str()
            ),
        );
    };
    // Flags that do not apply are refused, never ignored.
    if args.failed && !event.takes_failed() {
        return out.fail(
            USAGE,
            &format!(
                "--failed applies to Easypay's generic notifications (generic.*) only, not \
                 to {} {name}{}",
                provider.as_str(),
                if provider == Provider::Easytransac {
                    " (Easytransac's failures are events of their own: payment.failed, \
                     debit.failed)"
                } else {
                    ""
                }
            ),
        );
    }
    if provider == Provider::Easypay && args.format.is_some() {
        return out.fail(
            USAGE,
            "--format applies to Easytransac only: Easypay's notifications are always JSON",
        );
    }
    let format = args.format.unwrap_or(BodyFormat::Form);
    let creds = args.keys.resolve();
    let (credentials, signer) = match provider {
        Provider::Easytransac => (
            events::Credentials::EasytransacKey(creds.easytransac_key.clone()),
            if creds.easytransac_given {
                "signed with the key given"
            } else {
                "signed with pay-testkit's test key"
            },
        ),
        Provider::Easypay => (
            events::Credentials::EasypayBasic {
                user: creds.easypay_user.clone(),
                password: creds.easypay_password.clone(),
            },
            if creds.easypay_given {
                "Basic credentials given"
            } else {
                "pay-testkit's test Basic credentials"
            },
        ),
    };
    let target = match (&args.forward_to, &args.output) {
        (_, Some(path)) => trigger::Target::File {
            path: path.clone(),
            force: args.force,
        },
        (Some(url), None) => match deliver::LocalUrl::parse(url) {
            Ok(url) => trigger::Target::App(url),
            Err(message) => return out.fail(USAGE, &format!("--forward-to: {message}")),
        },
        (None, None) => return out.fail(USAGE, "give --forward-to URL or --output FILE"),
    };
    if let Err(message) = events::parse_cents(&args.amount) {
        return out.fail(USAGE, &message);
    }
    if let trigger::Target::File { path, force } = &target
        && let Err(trigger::WriteError::Exists(path)) = trigger::check_output(path, *force)
    {
        return out.fail(
            USAGE,
            &format!(
                "`{}` exists: give another file, or --force to replace it",
                path.display()
            ),
        );
    }
    let input = trigger::TriggerInput {
        event,
        values: events::Values {
            amount: args.amount.clone(),
            reference: args.reference.clone(),
            failed: args.failed,
            encoding: match format {
                BodyFormat::Form => events::Encoding::Form,
                BodyFormat::Json => events::Encoding::Json,
            },
        },
        credentials,
        target: target.clone(),
        repeat: args.repeat,
        duplicate: args.duplicate,
        tamper: args.tamper,
        unsigned: args.unsigned,
        timeout: Duration::from_secs(args.timeout),
    };
    let deliveries = match trigger::run(&input).await {
        Ok(deliveries) => deliveries,
        Err(trigger::RunError::Build(message)) => return out.fail(USAGE, &message),
        Err(trigger::RunError::Write(trigger::WriteError::Io(message))) => {
            return out.fail(CONFIG, &message);
        }
        Err(trigger::RunError::Write(trigger::WriteError::Exists(path))) => {
            return out.fail(
                USAGE,
                &format!(
                    "`{}` exists: give another file, or --force to replace it",
                    path.display()
                ),
            );
        }
    };
    let failures: Vec<&'static str> = deliveries.iter().filter_map(|d| d.error_kind).collect();
    let wrong = deliveries.iter().filter(|d| !d.ok).count();
    // What went wrong, in one sentence: no answer first (exit 3), then wrong answers.
    let summary = if failures.contains(&"refused") {
        Some((
            NO_ANSWER,
            "the app could not be reached (connection refused): is it running on that port?"
                .to_owned(),
        ))
    } else if failures.contains(&"timeout") {
        Some((
            NO_ANSWER,
            format!(
                "the app took the connection but did not answer within {} s: is it stuck \
                 (a lock, a slow call before answering)? Providers give up and retry too",
                args.timeout
            ),
        ))
    } else if failures.contains(&"connect_timeout") {
        Some((
            NO_ANSWER,
            format!(
                "no connection to the app within {} s: is something else holding that port?",
                args.timeout
            ),
        ))
    } else if !failures.is_empty() {
        Some((
            NO_ANSWER,
            "the app closed the connection without a valid HTTP answer".to_owned(),
        ))
    } else if wrong > 0 {
        Some((
            FAILED,
            format!(
                "{wrong} of {} deliveries answered wrongly",
                deliveries.len()
            ),
        ))
    } else {
        None
    };
    if out.json {
        let mut report = json!({
            "ok": summary.is_none(),
            "deliveries": deliveries,
        });
        if let Some((code, message)) = &summary {
            let kind = if *code == NO_ANSWER {
                "no_answer"
            } else {
                "wrong_answer"
            };
            report["error"] = json!({"kind": kind, "message": message, "exit_code": code});
        }
        out.json(&report);
    } else {
        let encoding = match (provider, format) {
            (Provider::Easypay, _) => "JSON",
            (_, BodyFormat::Form) => "form",
            (_, BodyFormat::Json) => "JSON",
        };
        for d in &deliveries {
            let signer = if d.variant == "unsigned" {
                "without signature or credentials"
            } else {
                signer
            };
            out.line(&format!(
                "→ {} {} ({}, {encoding}, {signer}) {}",
                d.provider, d.event, d.variant, d.summary
            ));
            if let Some(tampering) = &d.tampering {
                out.line(&format!("  tampered: {tampering}"));
            }
            if args.verbose {
                for line in &d.sent {
                    out.line(&format!("  | {line}"));
                }
            }
            match (&target, d.status, &d.error) {
                (trigger::Target::File { path, .. }, _, _) => {
                    out.line(&format!("  written to {} (mode 0600)", path.display()));
                }
                (_, Some(status), _) => {
                    out.line(&format!(
                        "  ← {status} in {} ms: {:?}  {}",
                        d.elapsed_ms.unwrap_or_default(),
                        d.answer.as_deref().unwrap_or_default(),
                        d.verdict.unwrap_or_default()
                    ));
                }
                (_, None, Some(error)) => out.line(&format!("  ✗ {error}")),
                (_, None, None) => {}
            }
            if d.variant == "duplicate" && d.ok {
                out.line("  (a redelivery: check that your app acted on it only once)");
            }
        }
        if matches!(target, trigger::Target::App(_)) {
            match &summary {
                Some((_, message)) => out.line(message),
                None => out.line(&format!(
                    "{} deliver{}: the app answered each as it must",
                    deliveries.len(),
                    if deliveries.len() == 1 { "y" } else { "ies" }
                )),
            }
        }
    }
    ExitCode::from(summary.map_or(OK, |(code, _)| code))
}

async fn serve_command(args: ServeArgs, out: &mut Out) -> ExitCode {
    let mut providers = args.providers.clone();
    providers.dedup();
    if providers.is_empty() {
        providers = vec![Provider::Easytransac, Provider::Easypay];
    }
    if args.port != 0 && providers.len() > 1 {
        return out.fail(
            USAGE,
            "--port needs one provider (pay serve easypay --port 8080)",
        );
    }
    if let Some(url) = &args.forward_to
        && let Err(message) = deliver::LocalUrl::parse(url)
    {
        return out.fail(USAGE, &format!("--forward-to: {message}"));
    }
    let creds = args.keys.resolve();
    let account = match (
        std::env::var(pay::EASYPAY_ACCOUNT_ID),
        std::env::var(pay::EASYPAY_API_KEY),
    ) {
        (Ok(account), Ok(key)) if !account.trim().is_empty() && !key.trim().is_empty() => {
            Some((account, SecretString::from(key)))
        }
        _ => None,
    };
    let input = serve::ServeInput {
        providers,
        port: args.port,
        forward_to: args.forward_to.clone(),
        easytransac_key: creds.easytransac_key,
        easypay_account: account,
        easypay_basic: (creds.easypay_user, creds.easypay_password),
        easypay_basic_given: creds.easypay_given || creds.easypay_user_given,
        verbose: args.verbose,
        json: out.json,
    };
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match serve::run(input, out.stdout.as_mut(), stop).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => out.fail(FAILED, &message),
    }
}

fn verify_command(args: &VerifyArgs, out: &mut Out) -> ExitCode {
    let mut input = Vec::new();
    let read = match &args.file {
        Some(path) if path.as_os_str() != "-" => std::fs::read(path)
            .map(|bytes| input = bytes)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display())),
        _ => std::io::stdin()
            .read_to_end(&mut input)
            .map(|_| ())
            .map_err(|e| format!("cannot read standard input: {e}")),
    };
    if let Err(message) = read {
        return out.fail(CONFIG, &message);
    }
    let capture = verify::read_capture(&input, args.body_only);
    let creds = args.keys.resolve();
    if args.verbose {
        let redactor = pay::Redactor::default();
        eprintln!(
            "read: {}{} header(s), body of {} bytes",
            capture
                .request_line
                .as_deref()
                .map(|l| format!("`{l}`, "))
                .unwrap_or_default(),
            capture.headers.len(),
            capture.body.len()
        );
        for (name, value) in &capture.headers {
            let shown = if name.eq_ignore_ascii_case("authorization") {
                "[REDACTED]".to_owned()
            } else {
                redactor.text(value).as_str().to_owned()
            };
            eprintln!("  {name}: {shown}");
        }
        eprintln!(
            "  {}",
            redactor
                .any(&String::from_utf8_lossy(&capture.body))
                .as_str()
        );
        let with = match args.provider {
            Provider::Easytransac if creds.easytransac_given => "the key given",
            Provider::Easytransac => "pay-testkit's test key (no --key or EASYTRANSAC_API_KEY)",
            Provider::Easypay if creds.easypay_given => "the Basic credentials given",
            Provider::Easypay => "pay-testkit's test Basic credentials",
        };
        eprintln!("checking with {with}");
    }
    let verdict = match verify::run(args.provider, &capture, &creds) {
        Ok(verdict) => verdict,
        Err(err) => return out.fail(CONFIG, &err.to_string()),
    };
    if out.json {
        let mut document = json!({
            "provider": args.provider.as_str(),
            "verified": verdict.verified,
            "reason": verdict.reason,
            "message": verdict.headline,
            "explanation": verdict.explanation,
            "event": verdict.event,
        });
        if !verdict.verified {
            document["error"] = json!({"kind": "not_verified", "message": verdict.headline,
                                       "reason": verdict.reason, "exit_code": FAILED});
        }
        out.json(&document);
    } else {
        out.line(&verdict.headline);
        for line in &verdict.explanation {
            out.line(&format!("  - {line}"));
        }
        if let Some(event) = &verdict.event {
            out.line(&format!("  event id:  {}", event.id));
            out.line(&format!("  kind:      {}", event.kind));
            if let Some(status) = &event.provider_status {
                out.line(&format!("  status:    {status}"));
            }
            if let Some(reference) = &event.reference {
                out.line(&format!("  reference: {reference}"));
            }
            if let Some(amount) = &event.amount {
                out.line(&format!("  amount:    {amount}"));
            }
        }
    }
    ExitCode::from(if verdict.verified { OK } else { FAILED })
}

/// Re-indents JSON text without parsing its values (numbers stay as written).
fn pretty_json(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let chars: Vec<char> = text.trim().chars().collect();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
                if matches!(next, Some('}' | ']')) {
                    // An empty object or array stays on one line.
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                let empty = matches!(out.chars().last(), Some('{' | '['));
                if !empty {
                    depth = depth.saturating_sub(1);
                    newline(&mut out, depth);
                }
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
        i += 1;
    }
    out
}

fn show_body(text: &str) -> String {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        pretty_json(text)
    } else {
        text.to_owned()
    }
}

async fn call_command(args: CallArgs, out: &mut Out) -> ExitCode {
    let provider = args.provider;
    if args.list {
        let ops = describe::operations(provider);
        if out.json {
            let list: Vec<serde_json::Value> = ops
                .iter()
                .map(|op| {
                    json!({"operation": op.id, "method": op.method.as_str(), "path": op.path,
                           "summary": op.summary, "idempotent": op.idempotent})
                })
                .collect();
            out.json(&json!({"provider": provider.as_str(), "operations": list}));
        } else {
            for op in ops {
                out.line(&format!(
                    "{:<28} {:<6} {:<40} {}",
                    op.id,
                    op.method.as_str(),
                    op.path,
                    op.summary
                ));
            }
        }
        return ExitCode::SUCCESS;
    }
    let Some(name) = args.operation.as_deref() else {
        return out.fail(USAGE, "give an operation (see `pay call PROVIDER --list`)");
    };
    let Some(operation) = describe::operation(provider, name) else {
        return out.fail(
            USAGE,
            &format!(
                "`{name}` is not an operation of {} (see `pay call {} --list`)",
                provider.as_str(),
                provider.as_str()
            ),
        );
    };
    if args.describe {
        let description = match describe::Description::load(provider) {
            Ok(d) => d,
            Err(message) => return out.fail(CONFIG, &message),
        };
        let fields = description.fields(operation);
        if out.json {
            out.json(
                &json!({"provider": provider.as_str(), "operation": operation.id,
                             "method": operation.method.as_str(), "path": operation.path,
                             "summary": operation.summary, "fields": fields}),
            );
        } else {
            out.line(&format!(
                "{} {}: {} {}",
                provider.as_str(),
                operation.id,
                operation.method.as_str(),
                operation.path
            ));
            out.line(operation.summary);
            out.line(
                "(required: always, or for a nested field whenever its parent is given; \
                 cond.: in the case stated after the type)",
            );
            for f in fields {
                let place = match f.place {
                    describe::Place::Path => "path",
                    describe::Place::Query => "query",
                    describe::Place::Body => "body",
                };
                let (required, condition) = match (f.required, f.required_when.as_slice()) {
                    (true, _) => ("required", String::new()),
                    (false, []) => ("", String::new()),
                    (false, cases) => ("cond.", format!("[{}] ", cases.join("; "))),
                };
                out.line(&format!(
                    "  {:<32} {:<5} {:<9} {:<24} {condition}{}",
                    f.name,
                    place,
                    required,
                    f.kind.chars().take(24).collect::<String>(),
                    f.description.chars().take(80).collect::<String>()
                ));
            }
        }
        return ExitCode::SUCCESS;
    }
    let input = call::CallInput {
        provider,
        operation,
        data: args.data.clone(),
        fields: args.fields.clone(),
        idempotency_key: args.idempotency_key.clone(),
    };
    let prepared = match call::prepare(&input) {
        Ok(prepared) => prepared,
        Err(err) => return call_error(err, out, &input),
    };
    for name in &prepared.unknown {
        eprintln!(
            "pay: warning: `{name}` is not in the description of {}; sent anyway",
            operation.id
        );
    }
    if let Some(url) = &args.base_url
        && let Err(message) = call::check_base_url(provider, url, args.allow_any_host)
    {
        return out.fail(USAGE, &message);
    }
    let config = match call::config(provider, args.base_url.as_deref()) {
        Ok(config) => config,
        Err(err) => return call_error(err, out, &input),
    };
    if args.dry_run {
        let captured = match call::dry_run(&config, &prepared, &input).await {
            Ok(captured) => captured,
            Err(err) => return call_error(err, out, &input),
        };
        if out.json {
            out.json(&json!({"dry_run": true, "provider": provider.as_str(),
                             "operation": operation.id, "requests": captured}));
        } else {
            out.line(&format!(
                "dry run: nothing was sent. The {} adapter built:",
                provider.as_str()
            ));
            for c in &captured {
                out.line("");
                if let Some(note) = &c.note {
                    out.line(&format!("({note})"));
                }
                out.line(&format!("{} {}", c.method, c.url));
                for (k, v) in &c.headers {
                    out.line(&format!("{k}: {v}"));
                }
                if !c.body.is_empty() {
                    out.line("");
                    out.line(&show_body(&c.body));
                }
            }
        }
        return ExitCode::SUCCESS;
    }
    if args.verbose {
        eprintln!(
            "pay: {} {}: {} {} (checked against the description)",
            provider.as_str(),
            operation.id,
            call::method_name(operation.method),
            prepared.path
        );
        verbose::install(provider.as_str(), operation.id);
    }
    match call::send(&config, &prepared, &input).await {
        Ok(answer) => {
            if out.json {
                /// The answer with its body embedded as received (numbers as written).
                #[derive(serde::Serialize)]
                struct Shown<'a> {
                    ok: bool,
                    provider: &'a str,
                    operation: &'a str,
                    method: &'a str,
                    url: &'a str,
                    status: u16,
                    replayed: bool,
                    elapsed_ms: u128,
                    #[serde(skip_serializing_if = "Option::is_none")]
                    body: Option<Box<serde_json::value::RawValue>>,
                    #[serde(skip_serializing_if = "Option::is_none")]
                    body_text: Option<&'a str>,
                }
                let raw = serde_json::value::RawValue::from_string(answer.body.clone()).ok();
                let shown = Shown {
                    ok: true,
                    provider: provider.as_str(),
                    operation: operation.id,
                    method: operation.method.as_str(),
                    url: &answer.url,
                    status: answer.status,
                    replayed: answer.replayed,
                    elapsed_ms: answer.elapsed.as_millis(),
                    body_text: if raw.is_none() {
                        Some(&answer.body)
                    } else {
                        None
                    },
                    body: raw,
                };
                let _ = writeln!(
                    out.stdout,
                    "{}",
                    serde_json::to_string(&shown).unwrap_or_default()
                );
            } else {
                out.line(&format!(
                    "{} {}: {} {} → {}{} in {} ms",
                    provider.as_str(),
                    operation.id,
                    operation.method.as_str(),
                    answer.url,
                    answer.status,
                    if answer.replayed { " (replayed)" } else { "" },
                    answer.elapsed.as_millis()
                ));
                if !answer.body.is_empty() {
                    out.line(&show_body(&answer.body));
                }
            }
            ExitCode::SUCCESS
        }
        Err(err) => call_error(err, out, &input),
    }
}

/// The name of a [`pay::ErrorKind`] in an error document.
fn pay_kind(kind: &pay::ErrorKind) -> &'static str {
    match kind {
        pay::ErrorKind::InvalidRequest(_) => "invalid_request",
        pay::ErrorKind::Authentication => "authentication",
        pay::ErrorKind::Declined { .. } => "declined",
        pay::ErrorKind::NotFound => "not_found",
        pay::ErrorKind::Conflict => "conflict",
        pay::ErrorKind::Rejected => "rejected",
        pay::ErrorKind::RateLimited { .. } => "rate_limited",
        pay::ErrorKind::ProviderUnavailable => "provider_unavailable",
        pay::ErrorKind::Timeout => "timeout",
        pay::ErrorKind::AmbiguousOutcome { .. } => "ambiguous_outcome",
        pay::ErrorKind::NotSupported { .. } => "not_supported",
        pay::ErrorKind::Decode { .. } => "decode",
        pay::ErrorKind::WebhookRejected { .. } => "webhook_rejected",
        pay::ErrorKind::Configuration { .. } => "configuration",
        pay::ErrorKind::JournalUnavailable { .. } => "journal_unavailable",
        _ => "other",
    }
}

/// The chain of causes under `err` (connection refused, timed out…), redacted, without
/// what its message already says.
fn causes(err: &pay::PayError, message: &str) -> Vec<String> {
    let redactor = pay::Redactor::default();
    let mut found: Vec<String> = Vec::new();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let text = redactor.text(&cause.to_string()).as_str().to_owned();
        if !text.is_empty() && !message.contains(&text) && !found.contains(&text) {
            found.push(text);
        }
        source = cause.source();
    }
    found
}

fn call_error(err: call::CallError, out: &mut Out, input: &call::CallInput) -> ExitCode {
    let mut details: Vec<(&str, serde_json::Value)> = vec![
        ("provider", json!(input.provider.as_str())),
        ("operation", json!(input.operation.id)),
    ];
    let (code, kind, message) = match err {
        call::CallError::Input(message) => (FAILED, "invalid_request", message),
        call::CallError::Usage(message) => (USAGE, "usage", message),
        call::CallError::Config(message) => (CONFIG, "configuration", message),
        call::CallError::Pay(err) => {
            // The adapters name their raw escape hatch (`v1_raw_read`…): name the
            // operation the user called.
            let err = (*err).with_operation(input.operation.id);
            let code = match err.kind() {
                pay::ErrorKind::Configuration { .. } => CONFIG,
                _ if call::is_no_answer(&err) => NO_ANSWER,
                _ => FAILED,
            };
            let mut message = err.to_string();
            // Without an answer, the cause (connection refused, timed out…) is the news;
            // with one, the status and the provider's words are.
            let causes = if err.http_status().is_none() {
                causes(&err, &message)
            } else {
                Vec::new()
            };
            if !causes.is_empty() {
                message = format!("{message}: {}", causes.join(": "));
                details.push(("cause", json!(causes.join(": "))));
            }
            if let Some(status) = err.http_status() {
                details.push(("http_status", json!(status)));
            }
            if let Some(code) = err.provider_code() {
                details.push(("provider_code", json!(code)));
            }
            if let Some(message) = err.provider_message() {
                details.push(("provider_message", json!(message)));
            }
            if let Some(id) = err.request_id() {
                details.push(("request_id", json!(id.as_str())));
            }
            if let Some(attempts) = err.attempts() {
                details.push(("attempts", json!(attempts)));
            }
            if let Some(key) = err.idempotency_key() {
                details.push(("idempotency_key", json!(key.as_str())));
            }
            if let Some(body) = err.body() {
                details.push(("body", json!(body.as_str())));
            }
            (code, pay_kind(err.kind()), message)
        }
    };
    out.fail_with(code, kind, &message, &details)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn json_is_reindented_without_touching_values() {
        assert_eq!(
            pretty_json(r#"{"a":12.50,"b":[],"c":{"d":"x, y: {z}"}}"#),
            "{\n  \"a\": 12.50,\n  \"b\": [],\n  \"c\": {\n    \"d\": \"x, y: {z}\"\n  }\n}"
        );
    }
}
