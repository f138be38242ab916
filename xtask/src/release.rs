//! `cargo xtask release <version>`: bump every crate together, date the changelog, run the
//! tests and `cargo publish --dry-run` in dependency order, and print the tag to create.
//!
//! It refuses a dirty tree, so the release commit holds exactly the bump. It edits text
//! (never re-serialises TOML), so comments and formatting survive. It neither commits nor
//! tags: it prints what to do next.

use std::{
    env, fs,
    path::Path,
    process::{Command, Stdio},
};

use crate::{
    Failure,
    metadata::{DependencyKind, Metadata},
};

/// Parsed `release` arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    /// The new version, already validated.
    pub(crate) version: String,
    /// The changelog date (`YYYY-MM-DD`); today (UTC) when absent.
    pub(crate) date: Option<String>,
    /// Skip `cargo test --workspace` (for xtask's own test of this command).
    pub(crate) skip_tests: bool,
}

impl Options {
    /// `<version> [--date YYYY-MM-DD] [--skip-tests]`.
    pub(crate) fn parse(args: &[String]) -> Result<Options, Failure> {
        let mut version = None;
        let mut date = None;
        let mut skip_tests = false;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--skip-tests" => skip_tests = true,
                "--date" => {
                    let value = args
                        .next()
                        .ok_or_else(|| Failure::Usage("`--date` needs YYYY-MM-DD".to_owned()))?;
                    if !is_date(value) {
                        return Err(Failure::Usage(format!(
                            "`{value}` is not a date YYYY-MM-DD"
                        )));
                    }
                    date = Some(value.clone());
                }
                flag if flag.starts_with("--") => {
                    return Err(Failure::Usage(format!("`release` does not know `{flag}`")));
                }
                value if version.is_none() => {
                    Semver::parse(value).map_err(Failure::Usage)?;
                    version = Some(value.to_owned());
                }
                extra => {
                    return Err(Failure::Usage(format!(
                        "`release` takes one version, got another: `{extra}`"
                    )));
                }
            }
        }
        let version =
            version.ok_or_else(|| Failure::Usage("`release` needs a version".to_owned()))?;
        Ok(Options {
            version,
            date,
            skip_tests,
        })
    }
}

/// Runs the release steps in the workspace at `root`.
pub(crate) fn run(root: &Path, options: &Options) -> Result<(), Failure> {
    let failed = Failure::Failed;
    let status = git(root, &["status", "--porcelain"]).map_err(failed)?;
    if !status.trim().is_empty() {
        return Err(Failure::Failed(format!(
            "the working tree has uncommitted changes; commit or stash them first:\n{}",
            status.trim_end()
        )));
    }

    // The publish order comes from the graph as it is now; versions do not change it.
    let metadata = Metadata::load(root).map_err(failed)?;
    let order = publish_order(&metadata).map_err(failed)?;

    let manifest_path = root.join("Cargo.toml");
    let manifest = read(&manifest_path)?;
    let (manifest, old) = bump_manifest(&manifest, &options.version).map_err(failed)?;
    let old_version = Semver::parse(&old).map_err(failed)?;
    let new_version = Semver::parse(&options.version).map_err(failed)?;
    if new_version <= old_version {
        return Err(Failure::Failed(format!(
            "{} is not newer than the current version {old}",
            options.version
        )));
    }

    let date = match &options.date {
        Some(date) => date.clone(),
        None => today()?,
    };
    let changelog_path = root.join("CHANGELOG.md");
    let changelog = read(&changelog_path)?;
    let changelog = date_changelog(&changelog, &options.version, &date).map_err(failed)?;

    write(&manifest_path, &manifest)?;
    write(&changelog_path, &changelog)?;
    println!("release: {old} -> {} in Cargo.toml", options.version);
    println!(
        "release: CHANGELOG.md: Unreleased is now `## {} - {date}`",
        options.version
    );
    // Record the new versions of the workspace's own packages in Cargo.lock.
    cargo(root, &["update", "--workspace", "--offline"])?;

    if options.skip_tests {
        println!("release: tests skipped (--skip-tests)");
    } else {
        println!("release: cargo test --workspace");
        cargo(root, &["test", "--workspace"])?;
    }

    for (name, publishable) in &order {
        if *publishable {
            println!("release: cargo publish --dry-run -p {name}");
            cargo(
                root,
                &["publish", "--dry-run", "--allow-dirty", "-p", name.as_str()],
            )?;
        } else {
            println!("release: {name}: skipped: publish = false");
        }
    }

    println!(
        "release: done. Review and commit the bump, then create the tag:\n  git commit -am \"Release {v}\"\n  git tag v{v}",
        v = options.version
    );
    Ok(())
}

/// The workspace's crates (xtask excluded) with whether each may be published, dependencies
/// before dependents; ties in name order.
fn publish_order(metadata: &Metadata) -> Result<Vec<(String, bool)>, String> {
    let members: Vec<_> = metadata
        .packages
        .iter()
        .filter(|p| p.is_member && p.name != "xtask")
        .collect();
    let names: Vec<&str> = members.iter().map(|p| p.name.as_str()).collect();
    let mut done: Vec<(String, bool)> = Vec::new();
    while done.len() < members.len() {
        let mut ready: Vec<&&crate::metadata::Package> = members
            .iter()
            .filter(|p| !done.iter().any(|(n, _)| *n == p.name))
            .filter(|p| {
                p.dependencies.iter().all(|dep| {
                    dep.kind == DependencyKind::Dev
                        || !names.contains(&dep.name.as_str())
                        || done.iter().any(|(n, _)| *n == dep.name)
                })
            })
            .collect();
        if ready.is_empty() {
            return Err("the workspace's crates depend on each other in a cycle".to_owned());
        }
        ready.sort_by(|a, b| a.name.cmp(&b.name));
        done.extend(ready.into_iter().map(|p| (p.name.clone(), p.publishable)));
    }
    Ok(done)
}

/// The manifest with `[workspace.package] version` and every internal crate's version in
/// `[workspace.dependencies]` set to `version`, and the old version.
fn bump_manifest(manifest: &str, version: &str) -> Result<(String, String), String> {
    let mut section = String::new();
    let mut old = None;
    let mut internal = 0;
    let mut out = String::with_capacity(manifest.len());
    for line in manifest.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            section = trimmed.to_owned();
        }
        let mut line = line.to_owned();
        if section == "[workspace.package]" && trimmed.starts_with("version") {
            let (replaced, previous) = replace_version(&line, version)?;
            old = Some(previous);
            line = replaced;
        } else if section == "[workspace.dependencies]"
            && trimmed.contains("path = \"crates/")
            && !trimmed.starts_with('#')
        {
            let name = trimmed.split('=').next().unwrap_or_default().trim();
            let (replaced, _) = replace_version(&line, version)
                .map_err(|err| format!("internal dependency `{name}`: {err}"))?;
            line = replaced;
            internal += 1;
        }
        out.push_str(&line);
    }
    let old = old.ok_or("Cargo.toml has no [workspace.package] version")?;
    if internal == 0 {
        return Err("Cargo.toml lists no internal crates in [workspace.dependencies]".to_owned());
    }
    Ok((out, old))
}

/// `line` with the string after `version =` replaced, and the old value.
fn replace_version(line: &str, version: &str) -> Result<(String, String), String> {
    let at = line
        .find("version")
        .ok_or("no `version = \"…\"` on the line")?;
    let after = &line[at + "version".len()..];
    let open = after.find('"').ok_or("version is not a string")?;
    if !after[..open].trim().starts_with('=') {
        return Err("no `version = \"…\"` on the line".to_owned());
    }
    let start = at + "version".len() + open + 1;
    let len = line[start..]
        .find('"')
        .ok_or("unterminated version string")?;
    let old = line[start..start + len].to_owned();
    Ok((
        format!("{}{version}{}", &line[..start], &line[start + len..]),
        old,
    ))
}

/// The changelog with its `## Unreleased` section renamed `## <version> - <date>` and a
/// fresh, empty `## Unreleased` above it.
fn date_changelog(changelog: &str, version: &str, date: &str) -> Result<String, String> {
    let lines: Vec<&str> = changelog.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == "## Unreleased")
        .ok_or("CHANGELOG.md has no `## Unreleased` section")?;
    if lines
        .iter()
        .any(|l| l.starts_with(&format!("## {version} ")) || l.trim() == format!("## {version}"))
    {
        return Err(format!("CHANGELOG.md already has a section for {version}"));
    }
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with("## "))
        .map_or(lines.len(), |i| start + 1 + i);
    if lines[start + 1..end].iter().all(|l| l.trim().is_empty()) {
        return Err(
            "the Unreleased section of CHANGELOG.md is empty: nothing to release".to_owned(),
        );
    }
    let mut out: Vec<String> = lines[..start].iter().map(|l| (*l).to_owned()).collect();
    out.push("## Unreleased".to_owned());
    out.push(String::new());
    out.push(format!("## {version} - {date}"));
    out.extend(lines[start + 1..].iter().map(|l| (*l).to_owned()));
    let mut text = out.join("\n");
    text.push('\n');
    Ok(text)
}

/// A semantic version: `MAJOR.MINOR.PATCH`, an optional `-pre.release` and `+build`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Semver {
    core: (u64, u64, u64),
    pre: Vec<String>,
}

impl Semver {
    fn parse(text: &str) -> Result<Semver, String> {
        let bad =
            |why: &str| format!("`{text}` is not a semantic version (MAJOR.MINOR.PATCH): {why}");
        let (rest, build) = match text.split_once('+') {
            Some((rest, build)) => (rest, Some(build)),
            None => (text, None),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (rest, None),
        };
        let numbers: Vec<&str> = core.split('.').collect();
        if numbers.len() != 3 {
            return Err(bad("expected three numbers"));
        }
        let mut parsed = [0u64; 3];
        for (slot, number) in parsed.iter_mut().zip(&numbers) {
            *slot =
                numeric(number).ok_or_else(|| bad("numbers are digits without leading zeros"))?;
        }
        let identifiers = |part: &str| -> Result<Vec<String>, String> {
            part.split('.')
                .map(|id| {
                    let ok = !id.is_empty()
                        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                    if ok {
                        Ok(id.to_owned())
                    } else {
                        Err(bad(
                            "pre-release and build parts are dot-separated [0-9A-Za-z-]+",
                        ))
                    }
                })
                .collect()
        };
        let pre = match pre {
            Some(pre) => {
                let ids = identifiers(pre)?;
                if ids
                    .iter()
                    .any(|id| id.bytes().all(|b| b.is_ascii_digit()) && numeric(id).is_none())
                {
                    return Err(bad("numeric pre-release parts have no leading zeros"));
                }
                ids
            }
            None => Vec::new(),
        };
        if let Some(build) = build {
            identifiers(build)?;
        }
        Ok(Semver {
            core: (parsed[0], parsed[1], parsed[2]),
            pre,
        })
    }
}

impl PartialOrd for Semver {
    fn partial_cmp(&self, other: &Semver) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Semver {
    /// Semver precedence: the numbers, then a release after its pre-releases, then the
    /// pre-release parts (numeric ones numerically, below alphanumeric ones).
    fn cmp(&self, other: &Semver) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        self.core
            .cmp(&other.core)
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.pre.iter().zip(&other.pre) {
                        let order = match (numeric(a), numeric(b)) {
                            (Some(x), Some(y)) => x.cmp(&y),
                            (Some(_), None) => Ordering::Less,
                            (None, Some(_)) => Ordering::Greater,
                            (None, None) => a.cmp(b),
                        };
                        if order != Ordering::Equal {
                            return order;
                        }
                    }
                    self.pre.len().cmp(&other.pre.len())
                }
            })
    }
}

/// A number with no leading zero (`0` itself is fine).
fn numeric(text: &str) -> Option<u64> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !digits || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    text.parse().ok()
}

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn today() -> Result<String, Failure> {
    let output = Command::new("date")
        .args(["-u", "+%F"])
        .output()
        .map_err(|err| Failure::Failed(format!("cannot run `date`: {err}; pass --date")))?;
    let date = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if !output.status.success() || !is_date(&date) {
        return Err(Failure::Failed(
            "`date -u +%F` did not print a date; pass --date YYYY-MM-DD".to_owned(),
        ));
    }
    Ok(date)
}

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|err| format!("cannot run git: {err}"))?;
    if !output.status.success() {
        return Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn cargo(root: &Path, args: &[&str]) -> Result<(), Failure> {
    let program = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(program)
        .args(args)
        .current_dir(root)
        .stdin(Stdio::null())
        .status()
        .map_err(|err| Failure::Failed(format!("cannot run cargo: {err}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure::Failed(format!(
            "`cargo {}` failed ({status})",
            args.join(" ")
        )))
    }
}

fn read(path: &Path) -> Result<String, Failure> {
    fs::read_to_string(path).map_err(|err| Failure::Failed(format!("{}: {err}", path.display())))
}

fn write(path: &Path, text: &str) -> Result<(), Failure> {
    fs::write(path, text).map_err(|err| Failure::Failed(format!("{}: {err}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{TempWorkspace, args};

    #[test]
    fn versions_must_be_semver() {
        for good in ["0.1.0", "1.0.0-rc.1", "2.3.4+build.5", "1.0.0-alpha-1.0"] {
            assert!(Semver::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "1.2", "v1.2.3", "1.02.3", "1.2.3-", "1.2.3-01", "1.2.3+", "1.2.x", "",
        ] {
            assert!(Semver::parse(bad).is_err(), "{bad}");
        }
        let v = |t| Semver::parse(t).unwrap();
        assert!(v("1.0.0-alpha") < v("1.0.0-alpha.1"));
        assert!(v("1.0.0-alpha.1") < v("1.0.0-beta"));
        assert!(v("1.0.0-rc.1") < v("1.0.0"));
        assert!(v("0.9.9") < v("0.10.0"));
    }

    #[test]
    fn arguments() {
        let parsed = Options::parse(&args(&["0.2.0", "--date", "2025-01-02", "--skip-tests"]));
        assert_eq!(
            parsed.unwrap(),
            Options {
                version: "0.2.0".to_owned(),
                date: Some("2025-01-02".to_owned()),
                skip_tests: true
            }
        );
        for bad in [
            &[][..],
            &["0.2"],
            &["0.2.0", "0.3.0"],
            &["0.2.0", "--date"],
            &["0.2.0", "--date", "02/01/2025"],
            &["0.2.0", "--force"],
        ] {
            assert!(
                matches!(Options::parse(&args(bad)), Err(Failure::Usage(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn manifest_bump_keeps_formatting() {
        let manifest = "[workspace.package]\nversion = \"0.0.0\" # moves together\nedition = \"2024\"\n\n\
            [workspace.dependencies]\n# Internal crates.\npay-core = { path = \"crates/pay-core\", version = \"0.0.0\" }\n\
            serde = { version = \"1.0\", features = [\"derive\"] }\n";
        let (bumped, old) = bump_manifest(manifest, "0.1.0").unwrap();
        assert_eq!(old, "0.0.0");
        assert_eq!(
            bumped,
            manifest
                .replace("version = \"0.0.0\" #", "version = \"0.1.0\" #")
                .replace("version = \"0.0.0\" }", "version = \"0.1.0\" }")
        );
        assert!(bumped.contains("serde = { version = \"1.0\""));
        let unversioned = "[workspace.package]\nversion = \"0.0.0\"\n[workspace.dependencies]\npay-core = { path = \"crates/pay-core\" }\n";
        assert!(
            bump_manifest(unversioned, "0.1.0")
                .unwrap_err()
                .contains("pay-core")
        );
    }

    #[test]
    fn changelog_gets_a_dated_section() {
        let text = "# Changelog\n\nIntro.\n\n## Unreleased\n\n### Added\n- A thing.\n\n## 0.0.1 - 2024-01-01\n\n- Old.\n";
        let dated = date_changelog(text, "0.1.0", "2025-01-02").unwrap();
        assert_eq!(
            dated,
            "# Changelog\n\nIntro.\n\n## Unreleased\n\n## 0.1.0 - 2025-01-02\n\n### Added\n- A thing.\n\n## 0.0.1 - 2024-01-01\n\n- Old.\n"
        );
        assert!(
            date_changelog(&dated, "0.1.0", "2025-01-03").is_err(),
            "twice"
        );
        assert!(
            date_changelog(&dated, "0.2.0", "2025-01-03").is_err(),
            "empty"
        );
        assert!(date_changelog("# Changelog\n", "0.2.0", "2025-01-03").is_err());
    }

    /// The whole command on a copy of this workspace: it bumps and dates, reports the
    /// unpublishable crates, and refuses a dirty tree and a bad version.
    #[test]
    fn release_on_a_copy_of_the_workspace() {
        let copy = TempWorkspace::copy("release");
        let root = copy.path();
        let options =
            Options::parse(&args(&["0.1.0", "--date", "2025-01-02", "--skip-tests"])).unwrap();
        let result = run(root, &options);
        assert!(result.is_ok(), "{result:?}");

        let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("[workspace.package]\nversion = \"0.1.0\""),
            "{manifest}"
        );
        assert!(manifest.contains("path = \"crates/pay-core\", version = \"0.1.0\""));
        assert!(
            !manifest.contains("version = \"0.0.0\""),
            "every internal crate moved"
        );
        let changelog = fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
        assert!(
            changelog.contains("## Unreleased\n\n## 0.1.0 - 2025-01-02\n"),
            "{changelog}"
        );
        let lock = fs::read_to_string(root.join("Cargo.lock")).unwrap();
        assert!(
            lock.contains("name = \"pay-core\"\nversion = \"0.1.0\""),
            "Cargo.lock follows"
        );

        // The bump is uncommitted now, so a second run refuses.
        match run(root, &options) {
            Err(Failure::Failed(message)) => assert!(message.contains("uncommitted"), "{message}"),
            other => panic!("a dirty tree was accepted: {other:?}"),
        }
        // A malformed version never reaches the tree.
        assert!(matches!(
            Options::parse(&args(&["0.1"])),
            Err(Failure::Usage(message)) if message.contains("semantic version")
        ));
        // An older version is refused once the tree is clean again.
        copy.commit_all();
        let older =
            Options::parse(&args(&["0.0.9", "--date", "2025-01-02", "--skip-tests"])).unwrap();
        match run(root, &older) {
            Err(Failure::Failed(message)) => assert!(message.contains("not newer"), "{message}"),
            other => panic!("an older version was accepted: {other:?}"),
        }
    }

    #[test]
    fn publish_order_puts_dependencies_first() {
        let metadata = Metadata::load(&crate::project_root()).unwrap();
        let order = publish_order(&metadata).unwrap();
        let position = |name: &str| order.iter().position(|(n, _)| n == name).unwrap();
        assert!(position("pay-core") < position("pay-signing").max(position("pay")));
        assert!(position("pay-core") < position("pay-easypay"));
        assert!(position("pay-easypay") < position("pay"));
        assert!(!order.iter().any(|(n, _)| n == "xtask"));
    }
}
