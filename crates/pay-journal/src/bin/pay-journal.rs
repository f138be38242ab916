//! `pay-journal`: the journal from a shell.
//!
//! ```text
//! pay-journal recover [--database URL] [--min-age SECONDS]
//! pay-journal list    [--database URL] [--open]
//! ```
//!
//! `recover` settles every entry still `pending` or `ambiguous` by asking the provider
//! through both adapters' typed reads (see `pay_journal::Recovery`) and prints one line
//! per entry (what it read, and what it concluded; entries younger than `--min-age`,
//! default 300 s, are listed as skipped and left for a later run); it exits 0 when nothing is
//! left open, 1 when some entries need a person (or the provider could not be asked), 2 on
//! a usage error. Credentials come from the environment, under the facade's names.

// Standard output is this binary's interface.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use pay_core::SystemClock;
use pay_journal::{Journal, Recovery};
use secrecy::SecretString;

const USAGE: &str = "\
usage: pay-journal recover [--database URL] [--min-age SECONDS]
       pay-journal list    [--database URL] [--open]

  recover   settle every pending or ambiguous entry by asking the provider (payments by
            merchant reference; captures, refunds, voids, payouts and updates by reading
            what they target; nothing is ever sent again)
  list      print the entries (--open: only those recovery would look at)

  --database URL     postgres://… or sqlite:PATH (default: $PAY_JOURNAL_DATABASE)
  --min-age SECONDS  skip entries younger than this (default 300: their call may still be
                     running in another process)

Environment (only the providers whose entries are open are needed):
  PAY_JOURNAL_DATABASE                    the journal, when --database is not given
  PAY_ENVIRONMENT                         sandbox (default) or production
  EASYPAY_ACCOUNT_ID, EASYPAY_API_KEY     Easypay credentials
  EASYPAY_BASE_URL                        another Easypay base URL (with /2.0)
  EASYTRANSAC_API_KEY                     Easytransac credentials
  EASYTRANSAC_BASE_URL                    another Easytransac base URL (both generations)
";

struct Args {
    command: String,
    database: Option<String>,
    min_age: Duration,
    open_only: bool,
}

fn parse(args: &[String]) -> Result<Option<Args>, String> {
    let mut args = args.iter();
    let command = match args.next().map(String::as_str) {
        None | Some("-h" | "--help" | "help") => return Ok(None),
        Some(command @ ("recover" | "list")) => command.to_owned(),
        Some(other) => return Err(format!("unknown command `{other}`")),
    };
    let mut parsed = Args {
        command,
        database: None,
        min_age: Duration::from_secs(300),
        open_only: false,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--database" => {
                parsed.database = Some(args.next().ok_or("`--database` needs a URL")?.clone());
            }
            "--min-age" => {
                let secs = args
                    .next()
                    .ok_or("`--min-age` needs a number of seconds")?
                    .parse::<u64>()
                    .map_err(|_| "`--min-age` needs a number of seconds".to_owned())?;
                parsed.min_age = Duration::from_secs(secs);
            }
            "--open" => parsed.open_only = true,
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    Ok(Some(parsed))
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Recovery through the clients whose credentials are set (their typed reads too, so
/// captures, refunds, voids, payouts and updates are settled, not only payments).
fn recovery() -> Result<Recovery, String> {
    let production = var("PAY_ENVIRONMENT").as_deref() == Some("production");
    let mut recovery = Recovery::new(Vec::new(), Arc::new(SystemClock));
    if let (Some(account), Some(key)) = (var("EASYPAY_ACCOUNT_ID"), var("EASYPAY_API_KEY")) {
        let mut builder = pay_easypay::EasypayClient::builder(
            pay_easypay::AccountId::new(account),
            pay_easypay::ApiKey::new(key),
        );
        builder = match var("EASYPAY_BASE_URL") {
            Some(url) => builder.base_url(url),
            None if production => builder.production(),
            None => builder.sandbox(),
        };
        let client = builder
            .build()
            .map_err(|e| format!("the Easypay client: {e}"))?;
        recovery = recovery.easypay(client);
    }
    if let Some(key) = var("EASYTRANSAC_API_KEY") {
        let mut builder = pay_easytransac::EasytransacClient::builder(SecretString::from(key));
        builder = match var("EASYTRANSAC_BASE_URL") {
            Some(url) => builder.base_url(url),
            None if production => builder.production(),
            None => builder.sandbox(),
        };
        let client = builder
            .build()
            .map_err(|e| format!("the Easytransac client: {e}"))?;
        recovery = recovery.easytransac(client);
    }
    Ok(recovery)
}

async fn run(args: Args) -> Result<bool, String> {
    let database = args
        .database
        .or_else(|| var("PAY_JOURNAL_DATABASE"))
        .ok_or("no journal: give --database or set PAY_JOURNAL_DATABASE")?;
    let journal = Journal::open(&database).await.map_err(|e| e.to_string())?;
    if args.command == "list" {
        let entries = if args.open_only {
            journal.open_entries().await
        } else {
            journal.entries().await
        }
        .map_err(|e| e.to_string())?;
        for e in &entries {
            println!(
                "#{} {} {} ref={} amount={} {} {}",
                e.id,
                e.provider,
                e.operation,
                e.reference.as_deref().unwrap_or("-"),
                e.amount.map_or_else(|| "-".to_owned(), |m| m.to_string()),
                e.state,
                e.detail.as_deref().unwrap_or(""),
            );
        }
        println!("{} entries", entries.len());
        return Ok(true);
    }
    let report = recovery()?
        .min_age(args.min_age)
        .run(&journal)
        .await
        .map_err(|e| e.to_string())?;
    // One line per entry (skipped ones too, with their age), then the totals.
    println!("{report}");
    Ok(report.left_open() == 0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse(&args) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{}", USAGE.trim_end());
            return ExitCode::SUCCESS;
        }
        Err(problem) => {
            eprintln!("pay-journal: {problem}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(problem) => {
            eprintln!("pay-journal: {problem}");
            ExitCode::FAILURE
        }
    }
}
