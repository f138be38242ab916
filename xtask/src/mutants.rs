//! `cargo xtask mutants [crate…]`: mutation testing with cargo-mutants on the crates whose
//! every line must be pinned by a test (money, retries, redaction, signing, the transport).
//!
//! It checks that cargo-mutants is installed (and says how to install the pinned version if
//! not), runs it once per crate against that crate's own tests with the repository's
//! `.cargo/mutants.toml`, and prints caught / missed / unviable / timeout per file from
//! cargo-mutants' `outcomes.json`. Results and the reasoning behind the equivalent mutants are
//! in docs/mutation-testing.md and mutants-equivalent.md.

use std::{
    env, fs,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use crate::{Failure, json};

/// The cargo-mutants version the documented figures and CI use.
pub(crate) const PINNED_VERSION: &str = "27.1.0";

/// The crates checked when none is named.
pub(crate) const DEFAULT_CRATES: &[&str] = &["pay-core", "pay-signing", "pay-http"];

/// Parsed `mutants` arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    /// The packages to mutate, each tested by its own tests.
    pub(crate) crates: Vec<String>,
    /// Only mutants on lines this diff touches (`--in-diff`).
    pub(crate) in_diff: Option<PathBuf>,
    /// Only these source files (globs, `--file`), for iterating on one module.
    pub(crate) files: Vec<String>,
    /// Where each crate's `mutants.out` goes; `target/mutants` when absent.
    pub(crate) output: Option<PathBuf>,
    /// Mutate the working tree itself instead of a copy (`--in-place`): reuses `target/`,
    /// so it is much faster, but the tree must not be edited meanwhile. For CI.
    pub(crate) in_place: bool,
}

impl Options {
    /// `[--in-diff FILE] [--file GLOB]… [--output DIR] [--in-place] [crate…]`.
    pub(crate) fn parse(args: &[String]) -> Result<Options, Failure> {
        let mut options = Options {
            crates: Vec::new(),
            in_diff: None,
            files: Vec::new(),
            output: None,
            in_place: false,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| {
                args.next()
                    .cloned()
                    .ok_or_else(|| Failure::Usage(format!("`{flag}` needs a value")))
            };
            match arg.as_str() {
                "--in-diff" => options.in_diff = Some(PathBuf::from(value("--in-diff")?)),
                "--file" => options.files.push(value("--file")?),
                "--output" => options.output = Some(PathBuf::from(value("--output")?)),
                "--in-place" => options.in_place = true,
                flag if flag.starts_with('-') => {
                    return Err(Failure::Usage(format!("`mutants` does not know `{flag}`")));
                }
                name if !name.starts_with("pay") && name != "xtask" => {
                    return Err(Failure::Usage(format!(
                        "`{name}` is not a crate of this workspace"
                    )));
                }
                name => options.crates.push(name.to_owned()),
            }
        }
        if options.crates.is_empty() {
            options.crates = DEFAULT_CRATES.iter().map(|&c| c.to_owned()).collect();
        }
        Ok(options)
    }
}

/// Runs cargo-mutants on each crate in turn; fails if any crate has a missed mutant, a
/// failing baseline or another error. Timeouts (a mutant that makes the tests hang, which
/// the tests therefore notice) are reported but do not fail the run.
pub(crate) fn run(root: &Path, options: &Options) -> Result<(), Failure> {
    let version = installed_version()?;
    if version != PINNED_VERSION {
        eprintln!(
            "mutants: cargo-mutants {version} is installed; the documented figures use \
             {PINNED_VERSION} (cargo install cargo-mutants --locked --version {PINNED_VERSION})"
        );
    }
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| root.join("target/mutants"));
    let mut problems = Vec::new();
    for name in &options.crates {
        let out_dir = output.join(name);
        // cargo-mutants writes nothing when a diff leaves no mutant: never report a stale run.
        let _ = fs::remove_dir_all(out_dir.join("mutants.out"));
        // cargo-mutants creates `mutants.out` but not the directories above it.
        fs::create_dir_all(&out_dir)
            .map_err(|err| Failure::Failed(format!("{}: {err}", out_dir.display())))?;
        let args = cargo_mutants_args(name, options, &out_dir);
        println!("mutants: cargo {}", args.join(" "));
        let status = Command::new(cargo())
            .args(&args)
            .current_dir(root)
            .stdin(Stdio::null())
            .status()
            .map_err(|err| Failure::Failed(format!("cannot run cargo mutants: {err}")))?;
        let outcomes = out_dir.join("mutants.out/outcomes.json");
        if let Ok(text) = fs::read_to_string(&outcomes) {
            let tallies = tally(&text).map_err(|err| {
                Failure::Failed(format!("{}: unreadable: {err}", outcomes.display()))
            })?;
            print!("{}", render(name, &tallies));
        }
        match status.code() {
            Some(0) => {}
            Some(3) => println!("mutants: {name}: some mutants timed out (the tests hung on them)"),
            Some(2) => problems.push(format!(
                "{name}: missed mutants, listed in {}",
                out_dir.join("mutants.out/missed.txt").display()
            )),
            Some(4) => problems.push(format!("{name}: the tests fail on the unmutated tree")),
            _ => problems.push(format!("{name}: cargo mutants failed ({status})")),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::Failed(problems.join("; ")))
    }
}

/// The arguments after `cargo` for one crate.
pub(crate) fn cargo_mutants_args(name: &str, options: &Options, out_dir: &Path) -> Vec<String> {
    let mut args: Vec<String> = [
        "mutants",
        "--package",
        name,
        "--test-package",
        name,
        "--no-shuffle",
    ]
    .iter()
    .map(|&a| a.to_owned())
    .collect();
    if options.in_place {
        args.push("--in-place".to_owned());
    } else {
        // Other builds share the machine: one mutant at a time.
        args.extend(["--jobs".to_owned(), "1".to_owned()]);
    }
    if let Some(diff) = &options.in_diff {
        args.push("--in-diff".to_owned());
        args.push(diff.display().to_string());
    }
    for file in &options.files {
        args.push("--file".to_owned());
        args.push(file.clone());
    }
    args.push("--output".to_owned());
    args.push(out_dir.display().to_string());
    args
}

fn cargo() -> std::ffi::OsString {
    env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The installed cargo-mutants version, or how to install it.
fn installed_version() -> Result<String, Failure> {
    let missing = || {
        Failure::Failed(format!(
            "cargo-mutants is not installed; run `cargo install cargo-mutants --locked \
             --version {PINNED_VERSION}`"
        ))
    };
    let output = Command::new(cargo())
        .args(["mutants", "--version"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|_| missing())?;
    if !output.status.success() {
        return Err(missing());
    }
    parse_version(&String::from_utf8_lossy(&output.stdout)).ok_or_else(missing)
}

/// `cargo-mutants 27.1.0` → `27.1.0`.
pub(crate) fn parse_version(text: &str) -> Option<String> {
    let version = text.trim().strip_prefix("cargo-mutants ")?;
    let valid = !version.is_empty()
        && version
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
    valid.then(|| version.to_owned())
}

/// How the mutants of one file fared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// The source file, relative to the workspace.
    pub(crate) file: String,
    /// Mutants a test failed on.
    pub(crate) caught: u32,
    /// Mutants every test passed with.
    pub(crate) missed: u32,
    /// Mutants that did not build.
    pub(crate) unviable: u32,
    /// Mutants the tests hung on.
    pub(crate) timeout: u32,
}

impl Tally {
    /// Caught (timeouts included: the tests did not pass) as a share of the viable mutants,
    /// in whole per mille so it prints without floating point; `None` when none is viable.
    pub(crate) fn caught_per_mille(&self) -> Option<u32> {
        let detected = self.caught + self.timeout;
        let viable = detected + self.missed;
        (viable > 0).then(|| detected * 1000 / viable)
    }
}

/// Per-file tallies from cargo-mutants' `outcomes.json`, sorted by file.
pub(crate) fn tally(outcomes_json: &str) -> Result<Vec<Tally>, String> {
    let doc = json::parse(outcomes_json)?;
    let outcomes = doc
        .get("outcomes")
        .and_then(json::Json::as_array)
        .ok_or("no `outcomes` array")?;
    let mut tallies: Vec<Tally> = Vec::new();
    for outcome in outcomes {
        let Some(mutant) = outcome.get("scenario").and_then(|s| s.get("Mutant")) else {
            continue; // the baseline
        };
        let file = mutant
            .get("file")
            .and_then(json::Json::as_str)
            .ok_or("a mutant without `file`")?;
        let summary = outcome
            .get("summary")
            .and_then(json::Json::as_str)
            .ok_or("an outcome without `summary`")?;
        let index = match tallies.iter().position(|t| t.file == file) {
            Some(index) => index,
            None => {
                tallies.push(Tally {
                    file: file.to_owned(),
                    ..Tally::default()
                });
                tallies.len() - 1
            }
        };
        let entry = &mut tallies[index];
        match summary {
            "CaughtMutant" => entry.caught += 1,
            "MissedMutant" => entry.missed += 1,
            "Unviable" => entry.unviable += 1,
            "Timeout" => entry.timeout += 1,
            other => return Err(format!("unknown outcome `{other}`")),
        }
    }
    tallies.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(tallies)
}

/// A Markdown table of `tallies`, the form docs/mutation-testing.md uses.
pub(crate) fn render(name: &str, tallies: &[Tally]) -> String {
    let mut out = format!(
        "\n{name}\n\n| file | caught | missed | unviable | timeout | caught of viable |\n\
         |---|---:|---:|---:|---:|---:|\n"
    );
    for t in tallies {
        let share = t
            .caught_per_mille()
            .map_or_else(|| "–".to_owned(), |pm| format!("{}.{} %", pm / 10, pm % 10));
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {share} |\n",
            t.file, t.caught, t.missed, t.unviable, t.timeout
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::args;

    #[test]
    fn options_default_to_the_three_crates() {
        let options = Options::parse(&[]).unwrap();
        assert_eq!(options.crates, DEFAULT_CRATES);
        assert_eq!(options.in_diff, None);
        assert!(!options.in_place);
        let options = Options::parse(&args(&[
            "--in-diff",
            "/tmp/d.diff",
            "--file",
            "crates/pay-core/src/money.rs",
            "--in-place",
            "--output",
            "/tmp/m",
            "pay-core",
        ]))
        .unwrap();
        assert_eq!(options.crates, ["pay-core"]);
        assert_eq!(options.in_diff, Some(PathBuf::from("/tmp/d.diff")));
        assert_eq!(options.files, ["crates/pay-core/src/money.rs"]);
        assert_eq!(options.output, Some(PathBuf::from("/tmp/m")));
        assert!(options.in_place);
    }

    #[test]
    fn bad_options_are_usage_errors() {
        for bad in [
            &["--in-diff"][..],
            &["--file"],
            &["--output"],
            &["--jobs", "4"],
            &["serde"],
        ] {
            assert!(
                matches!(Options::parse(&args(bad)), Err(Failure::Usage(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn arguments_for_cargo_mutants() {
        let mut options = Options::parse(&args(&["--in-diff", "d.diff", "pay-http"])).unwrap();
        let out = Path::new("/tmp/out/pay-http");
        assert_eq!(
            cargo_mutants_args("pay-http", &options, out).join(" "),
            "mutants --package pay-http --test-package pay-http --no-shuffle --jobs 1 \
             --in-diff d.diff --output /tmp/out/pay-http"
        );
        options.in_place = true;
        options.in_diff = None;
        options.files.push("crates/pay-http/src/pure.rs".to_owned());
        assert_eq!(
            cargo_mutants_args("pay-http", &options, out).join(" "),
            "mutants --package pay-http --test-package pay-http --no-shuffle --in-place \
             --file crates/pay-http/src/pure.rs --output /tmp/out/pay-http"
        );
    }

    #[test]
    fn versions() {
        assert_eq!(
            parse_version("cargo-mutants 27.1.0\n"),
            Some("27.1.0".to_owned())
        );
        for bad in ["", "cargo-mutants", "cargo-mutants 27..0", "mutants 27.1.0"] {
            assert_eq!(parse_version(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn tallies_per_file() {
        let mutant = |file: &str, summary: &str| {
            format!(
                r#"{{"scenario":{{"Mutant":{{"file":"{file}","name":"x"}}}},"summary":"{summary}"}}"#
            )
        };
        let doc = format!(
            r#"{{"outcomes":[{{"scenario":"Baseline","summary":"Success"}},{},{},{},{},{},{}]}}"#,
            mutant("b.rs", "CaughtMutant"),
            mutant("a.rs", "MissedMutant"),
            mutant("b.rs", "Timeout"),
            mutant("b.rs", "Unviable"),
            mutant("b.rs", "MissedMutant"),
            mutant("a.rs", "Unviable"),
        );
        let tallies = tally(&doc).unwrap();
        assert_eq!(
            tallies,
            [
                Tally {
                    file: "a.rs".to_owned(),
                    missed: 1,
                    unviable: 1,
                    ..Tally::default()
                },
                Tally {
                    file: "b.rs".to_owned(),
                    caught: 1,
                    missed: 1,
                    unviable: 1,
                    timeout: 1,
                },
            ]
        );
        assert_eq!(tallies[0].caught_per_mille(), Some(0));
        assert_eq!(tallies[1].caught_per_mille(), Some(666));
        assert_eq!(
            Tally {
                unviable: 3,
                ..Tally::default()
            }
            .caught_per_mille(),
            None
        );
        let table = render("pay-core", &tallies);
        assert!(
            table.contains("| a.rs | 0 | 1 | 1 | 0 | 0.0 % |"),
            "{table}"
        );
        assert!(
            table.contains("| b.rs | 1 | 1 | 1 | 1 | 66.6 % |"),
            "{table}"
        );
        assert!(
            tally(r#"{"outcomes":[{"scenario":{"Mutant":{"file":"a.rs"}},"summary":"Odd"}]}"#)
                .is_err()
        );
        assert!(tally("{}").is_err());
    }
}
