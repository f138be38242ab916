//! `pay-demo`: the pay SDK's real flows, end to end, against pay-testkit's fake
//! Easytransac and Easypay servers started in this process on 127.0.0.1. Nothing leaves
//! the machine and nothing needs setting up.
//!
//! ```text
//! cargo run -p pay-demo [-- --provider easytransac|easypay|all] [--json] [--verbose]
//!                          [--interactive]
//! ```
//!
//! For each provider it creates payments, plays the customer (3-D Secure, MB WAY,
//! Multibanco), receives the provider's notifications at a merchant webhook endpoint
//! (axum) that verifies, de-duplicates and confirms them by fetching, captures, refunds,
//! and more (a SEPA mandate and debit, instalments, an RSA-signed out-payment), then
//! shows the safety nets: a request refused before sending, a lost answer resolved
//! without a double charge, a forged notification refused, and a process that dies after
//! sending a charge recovered from its write journal (SQLite). It prints each step as it
//! runs and a summary table, and exits with 1 if any step misbehaved (2 for a usage
//! error). With `--interactive` it prints the URL of each customer page (the 3-D Secure
//! challenge, the MB WAY approval) and waits for a person to complete it in a browser,
//! where the demo otherwise plays the customer itself.

// Standard output is this binary's interface.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod easypay;
mod easytransac;
mod flows;
mod journal;
mod receiver;
mod report;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::receiver::Endpoint;
use crate::report::{Outcome, Progress, Recorder, Step};

/// Writes a line to standard output; a closed pipe (`pay-demo | head`) is not an error
/// worth a panic, so write failures are ignored.
macro_rules! say {
    () => {
        say!("")
    };
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

const USAGE: &str = "\
usage: pay-demo [--provider easytransac|easypay|all] [--json] [--verbose] [--interactive]

Runs the pay SDK's payment flows against fake Easytransac and Easypay servers started in
this process on 127.0.0.1 (nothing leaves the machine).

  --provider NAME   only this provider's flows (default: all)
  --json            print the results as one JSON document instead of text
  --verbose         also show each request the fake server received (secrets redacted)
  --interactive     print each customer page's URL (3-D Secure, MB WAY) and wait for
                    you to complete it in a browser, instead of playing the customer
  -h, --help        show this help
";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Options {
    easytransac: bool,
    easypay: bool,
    json: bool,
    verbose: bool,
    interactive: bool,
}

/// `Ok(None)` for `--help`.
fn parse(args: &[String]) -> Result<Option<Options>, String> {
    let mut options = Options {
        easytransac: true,
        easypay: true,
        json: false,
        verbose: false,
        interactive: false,
    };
    let mut args = args.iter().map(String::as_str);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value)),
            None => (arg, None),
        };
        match flag {
            "-h" | "--help" => return Ok(None),
            "--json" => options.json = true,
            "--verbose" | "-v" => options.verbose = true,
            "--interactive" | "-i" => options.interactive = true,
            "--provider" => {
                let value = inline
                    .or_else(|| args.next())
                    .ok_or("`--provider` needs a value")?;
                (options.easytransac, options.easypay) = match value {
                    "all" => (true, true),
                    easytransac::NAME => (true, false),
                    easypay::NAME => (false, true),
                    other => {
                        return Err(format!(
                            "unknown provider `{other}` (easytransac, easypay or all)"
                        ));
                    }
                };
            }
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    Ok(Some(options))
}

/// Step lines as they run (text mode).
struct Text {
    verbose: bool,
    flow: Option<&'static str>,
}

impl Progress for Text {
    fn started(&mut self, _: usize, _: usize, _: &'static str, _: &'static str) {}

    fn finished(&mut self, step: &Step, total: usize) {
        if self.flow != Some(step.flow) {
            self.flow = Some(step.flow);
            say!("\n  {}", step.flow);
        }
        let width = total.to_string().len();
        let dots = ".".repeat(62usize.saturating_sub(step.name.chars().count()));
        say!(
            "  [{:>width$}/{total}] {} {dots} {:<7} {}",
            step.number,
            step.name,
            step.outcome.label(),
            millis(step.elapsed),
        );
        let detail = step.outcome.detail();
        if !detail.is_empty() {
            say!("  {:width$}    {detail}", "", width = 2 * width + 1);
        }
        if self.verbose {
            for request in &step.requests {
                say!("  {:width$}    -> {request}", "", width = 2 * width + 1);
            }
        }
    }
}

/// Nothing as it runs (JSON mode prints once at the end).
struct Quiet;

impl Progress for Quiet {
    fn started(&mut self, _: usize, _: usize, _: &'static str, _: &'static str) {}
    fn finished(&mut self, _: &Step, _: usize) {}
}

fn millis(elapsed: Duration) -> String {
    format!("{} ms", elapsed.as_millis())
}

fn count(flows: &[(&str, &[&str])]) -> usize {
    flows.iter().map(|(_, steps)| steps.len()).sum()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse(&args) {
        Ok(Some(options)) => options,
        Ok(None) => {
            say!("{}", USAGE.trim_end());
            return ExitCode::SUCCESS;
        }
        Err(problem) => {
            eprintln!("pay-demo: {problem}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(problem) => {
            eprintln!("pay-demo: {problem}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the chosen flows; `Ok(true)` when every step behaved.
async fn run(options: &Options) -> Result<bool, String> {
    let start = Instant::now();
    let endpoint = Arc::new(Endpoint::default());
    let hooks = receiver::start(endpoint.clone())
        .await
        .map_err(|e| format!("the webhook endpoint did not start: {e}"))?;
    let total = if options.easytransac {
        count(easytransac::FLOWS) + count(journal::FLOWS)
    } else {
        0
    } + if options.easypay {
        count(easypay::FLOWS)
    } else {
        0
    };

    let mut text = Text {
        verbose: options.verbose,
        flow: None,
    };
    let mut quiet = Quiet;
    let progress: &mut dyn Progress = if options.json { &mut quiet } else { &mut text };
    if !options.json {
        say!(
            "pay demo: real flows against pay-testkit's fake servers on 127.0.0.1 \
             (nothing leaves this machine)"
        );
        say!("merchant webhook endpoint (axum): {hooks}/hooks/{{provider}}");
    }
    let mut problems = Vec::new();
    let mut recorder = Recorder::new(total, progress);
    if options.easytransac {
        let harness =
            easytransac::Harness::start(endpoint.clone(), &hooks, prompt(options)).await?;
        announce(options, "Easytransac", &harness.base_url());
        harness.run(&mut recorder).await;
        problems.extend(harness.problems());
        let crash = journal::Harness::start().await?;
        crash.run(&mut recorder).await;
        problems.extend(crash.problems());
    }
    if options.easypay {
        let harness = easypay::Harness::start(endpoint.clone(), &hooks, prompt(options)).await?;
        announce(options, "Easypay", &harness.base_url());
        harness.run(&mut recorder).await;
        problems.extend(harness.problems());
    }
    let steps = recorder.into_steps();
    let elapsed = start.elapsed();
    let ok = all_behaved(&steps, total, &problems);
    if options.json {
        say!("{}", json(&steps, &problems, elapsed, ok));
    } else {
        summary(&steps, &problems, elapsed);
    }
    Ok(ok)
}

/// With `--interactive`, how the flows ask the person at the terminal to complete a
/// page: a line on standard error, so `--json` output stays one document.
fn prompt(options: &Options) -> Option<flows::Prompt> {
    fn to_stderr(line: &str) {
        eprintln!("{line}");
    }
    options.interactive.then_some(to_stderr as flows::Prompt)
}

fn announce(options: &Options, provider: &str, base_url: &str) {
    if !options.json {
        say!("\n{provider} (fake at {base_url})");
    }
}

/// Every declared step ran and behaved, and the fakes saw nothing wrong.
fn all_behaved(steps: &[Step], total: usize, problems: &[String]) -> bool {
    steps.iter().all(|s| matches!(s.outcome, Outcome::Ok(_)))
        && steps.len() == total
        && problems.is_empty()
}

fn summary(steps: &[Step], problems: &[String], elapsed: Duration) {
    say!("\nSummary");
    let name_width = steps
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(4);
    say!(
        "  {:>3}  {:<12} {:<name_width$}  {:<7} {:>7}",
        "#",
        "provider",
        "step",
        "result",
        "time"
    );
    for step in steps {
        say!(
            "  {:>3}  {:<12} {:<name_width$}  {:<7} {:>7}",
            step.number,
            step.provider,
            step.name,
            step.outcome.label(),
            millis(step.elapsed)
        );
    }
    let ok = steps
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Ok(_)))
        .count();
    let failed = steps
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Failed(_)))
        .count();
    let skipped = steps.len() - ok - failed;
    say!(
        "\n{} steps: {ok} ok, {failed} failed, {skipped} skipped, in {:.2} s",
        steps.len(),
        elapsed.as_secs_f64()
    );
    for step in steps
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Failed(_)))
    {
        say!(
            "FAILED [{}] {}: {}",
            step.number,
            step.name,
            step.outcome.detail()
        );
    }
    for problem in problems {
        say!("FAKE SERVER PROBLEM: {problem}");
    }
}

fn json(steps: &[Step], problems: &[String], elapsed: Duration, ok: bool) -> String {
    let steps: Vec<serde_json::Value> = steps
        .iter()
        .map(|s| {
            serde_json::json!({
                "number": s.number,
                "provider": s.provider,
                "flow": s.flow,
                "step": s.name,
                "result": s.outcome.label(),
                "detail": s.outcome.detail(),
                "elapsed_ms": u64::try_from(s.elapsed.as_millis()).unwrap_or(u64::MAX),
                "requests": s.requests,
            })
        })
        .collect();
    let document = serde_json::json!({
        "ok": ok,
        "elapsed_ms": u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        "steps": steps,
        "fake_server_problems": problems,
    });
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    fn step(outcome: Outcome) -> Step {
        Step {
            number: 1,
            provider: "p",
            flow: "f",
            name: "n",
            outcome,
            elapsed: Duration::ZERO,
            requests: Vec::new(),
        }
    }

    #[test]
    fn any_misbehaviour_fails_the_run() {
        let ok = || step(Outcome::Ok("fine".to_owned()));
        assert!(all_behaved(&[ok(), ok()], 2, &[]));
        assert!(!all_behaved(
            &[ok(), step(Outcome::Failed("no".to_owned()))],
            2,
            &[]
        ));
        assert!(!all_behaved(&[ok(), step(Outcome::Skipped)], 2, &[]));
        assert!(!all_behaved(&[ok()], 2, &[]), "a step that never ran");
        assert!(!all_behaved(&[ok()], 1, &["the fake panicked".to_owned()]));
    }

    #[test]
    fn the_command_line() {
        let all = parse(&args("")).unwrap().unwrap();
        assert!(all.easytransac && all.easypay && !all.json && !all.verbose);
        assert!(!all.interactive);
        assert!(parse(&args("--interactive")).unwrap().unwrap().interactive);
        assert!(parse(&args("-i")).unwrap().unwrap().interactive);
        let one = parse(&args("--provider easypay --json -v"))
            .unwrap()
            .unwrap();
        assert!(!one.easytransac && one.easypay && one.json && one.verbose);
        let inline = parse(&args("--provider=easytransac")).unwrap().unwrap();
        assert!(inline.easytransac && !inline.easypay);
        assert_eq!(parse(&args("--help")).unwrap(), None);
        assert_eq!(
            parse(&args("--provider stripe")).unwrap_err(),
            "unknown provider `stripe` (easytransac, easypay or all)"
        );
        assert_eq!(
            parse(&args("--provider")).unwrap_err(),
            "`--provider` needs a value"
        );
        assert_eq!(
            parse(&args("--fast")).unwrap_err(),
            "unexpected argument `--fast`"
        );
    }
}
