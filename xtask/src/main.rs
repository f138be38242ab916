//! `cargo xtask`: repository automation for the pay workspace, written in Rust so it runs
//! wherever cargo does.
//!
//! See `cargo xtask help`. Each subcommand lives in its own module; [`run`] is the single
//! dispatch point. Checks that must always hold are also `#[test]`s, so plain `cargo test`
//! enforces them without anyone remembering to run xtask.

// xtask is a developer tool whose whole interface is the terminal, so the workspace-wide ban
// on printing (meant for library crates) does not apply here.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod codegen;
mod json;
mod metadata;
mod mutants;
mod new_provider;
mod release;
#[cfg(test)]
mod testing;
mod tidy;

use std::{
    env,
    path::{Path, PathBuf},
    process::ExitCode,
};

const USAGE: &str = "\
Usage: cargo xtask <command>

Commands:
  tidy                      Check repository rules that rustc and clippy cannot (also run by `cargo test`)
  codegen [--check]         Generate wire types, validation, operation tables and docs/providers.md
                            from fixtures/<provider>/api.yaml; --check only reports stale files
  release <version> [--date YYYY-MM-DD] [--skip-tests]
                            Bump every crate to <version>, date the changelog, run the tests and
                            `cargo publish --dry-run`, and print the tag to create
  new-provider <name>       Scaffold crates/pay-<name>, fixtures/<name> and docs/providers/<name>.md
  mutants [--in-diff FILE] [--file GLOB]... [--output DIR] [--in-place] [crate...]
                            Mutation testing with cargo-mutants (pinned version) on each crate's own
                            tests, default pay-core pay-signing pay-http; fails on a missed mutant
  help                      Print this message
";

/// Why a command did not succeed.
#[derive(Debug)]
enum Failure {
    /// The command line was wrong; print usage and exit with 2.
    Usage(String),
    /// The command ran and found problems, already printed; exit with 1.
    Failed(String),
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Parses `args` (without the program name) and runs the chosen command.
fn run(args: &[String]) -> Result<(), Failure> {
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => return Err(Failure::Usage("no command given".to_owned())),
    };
    match command {
        "tidy" => {
            no_more_args(command, rest)?;
            tidy()
        }
        // New commands slot in here, one arm each, delegating to their own module, and get a
        // line in USAGE.
        "codegen" => {
            let check = match rest {
                [] => false,
                [flag] if flag == "--check" => true,
                [other, ..] => {
                    return Err(Failure::Usage(format!(
                        "`codegen` takes only `--check`, got `{other}`"
                    )));
                }
            };
            codegen::run(&project_root(), check)
        }
        "release" => release::run(&project_root(), &release::Options::parse(rest)?),
        "new-provider" => match rest {
            [flag] if flag == "--help" || flag == "-h" => {
                print!("{}", new_provider::HELP);
                Ok(())
            }
            [name] => new_provider::run(&project_root(), name),
            _ => Err(Failure::Usage(
                "`new-provider` takes exactly one name".to_owned(),
            )),
        },
        "mutants" => mutants::run(&project_root(), &mutants::Options::parse(rest)?),
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(Failure::Usage(format!("unknown command `{other}`"))),
    }
}

fn no_more_args(command: &str, rest: &[String]) -> Result<(), Failure> {
    match rest.first() {
        None => Ok(()),
        Some(extra) => Err(Failure::Usage(format!(
            "`{command}` takes no arguments, got `{extra}`"
        ))),
    }
}

fn tidy() -> Result<(), Failure> {
    let tree = tidy::Tree::new(project_root());
    let failures = tidy::run_all(&tree);
    if failures.is_empty() {
        println!("tidy: ok ({} checks)", tidy::CHECKS.len());
        return Ok(());
    }
    let count: usize = failures
        .iter()
        .map(|(_, violations)| violations.len())
        .sum();
    eprintln!("tidy: {count} violation(s)");
    for (check, violations) in &failures {
        eprintln!("\n{check}:");
        for violation in violations {
            eprintln!("  {violation}");
        }
    }
    eprintln!();
    Err(Failure::Failed(format!(
        "tidy found {count} violation(s) in {} of {} checks",
        failures.len(),
        tidy::CHECKS.len()
    )))
}

/// The workspace root: the parent of this crate's directory.
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod tests {
    use super::{Failure, run};
    use crate::testing::args;

    #[test]
    fn bad_command_lines_are_usage_errors() {
        for bad in [
            &[][..],
            &["frobnicate"],
            &["tidy", "--fix"],
            &["codegen", "--force"],
            &["release"],
            &["release", "1.2"],
            &["new-provider"],
            &["new-provider", "a", "b"],
        ] {
            let result = run(&args(bad));
            assert!(
                matches!(result, Err(Failure::Usage(_))),
                "{bad:?} gave {result:?}"
            );
        }
    }

    #[test]
    fn help_succeeds() {
        assert!(run(&args(&["help"])).is_ok());
        for flag in ["--help", "-h"] {
            assert!(run(&args(&["new-provider", flag])).is_ok(), "{flag}");
        }
    }

    #[test]
    fn project_root_is_the_workspace() {
        let root = super::project_root();
        assert!(
            root.join("xtask/Cargo.toml").is_file(),
            "{}",
            root.display()
        );
        assert!(root.join("Cargo.lock").is_file() || root.join("Cargo.toml").is_file());
    }
}
