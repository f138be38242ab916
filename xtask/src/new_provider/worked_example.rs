//! The worked example of `docs/adding-a-provider.md`, as a test: a fictional provider,
//! Quill (four operations, a bearer API key, HMAC-SHA256-signed notifications), built from
//! the scaffold in a copy of the workspace, passing the full conformance kit against its
//! fake.
//!
//! The hand-written files are committed under `xtask/tests/worked-example/`, at the paths
//! they take in the workspace; the test copies them over the scaffold's output, exactly as
//! the guide's steps do, and checks that nothing else was edited by hand.

use std::{
    fs,
    path::{Path, PathBuf},
};

use crate::testing::{TempWorkspace, cargo, git};

/// The fictional provider's name.
const NAME: &str = "quill";

/// Where the hand-written files live, relative to the workspace root.
const EXAMPLE: &str = "xtask/tests/worked-example";

/// The provider's own paths: everything written by hand is under one of them.
const OWN: &[&str] = &[
    "crates/pay-quill/",
    "crates/pay-testkit/src/quill/",
    "fixtures/quill/",
    "docs/providers/quill.md",
];

/// Every other file that changes, and what changes it: `new-provider` adds the crate to the
/// workspace manifest, and `codegen` writes the rest from the descriptions.
const GENERATED: &[&str] = &[
    "Cargo.toml",
    "crates/pay/Cargo.toml",
    "crates/pay/src/configured.rs",
    "crates/pay/src/providers.rs",
    "crates/pay-testkit/Cargo.toml",
    "crates/pay-testkit/src/fakes.rs",
    "crates/pay-testkit/src/generated/mod.rs",
    "crates/pay-testkit/src/generated/quill.rs",
    "docs/providers.md",
];

/// Every file under `dir`, as paths relative to it, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        for entry in fs::read_dir(dir.join(&relative)).unwrap() {
            let entry = entry.unwrap();
            let path = relative.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn is_own(path: &str) -> bool {
    OWN.iter().any(|prefix| path.starts_with(prefix))
}

/// The guide's steps, in a copy of the workspace: scaffold, describe, write the provider's
/// code, regenerate, then the provider's tests, the full conformance kit among them.
#[test]
fn the_worked_example_passes_the_conformance_kit() {
    let example = crate::project_root().join(EXAMPLE);
    let hand_written = files_under(&example);
    for file in &hand_written {
        let path = file.to_string_lossy();
        assert!(
            is_own(&path),
            "{EXAMPLE}/{path} is not one of the provider's own paths"
        );
    }

    // Step 1: the scaffold (which runs codegen).
    let copy = TempWorkspace::copy("worked-example");
    let root = copy.path();
    let scaffold = super::run(root, NAME);
    assert!(scaffold.is_ok(), "{scaffold:?}");
    let original = git(root, &["rev-parse", "HEAD"]);
    copy.commit_all();

    // Steps 2 to 8: the description and the provider's code, written by hand (here, copied
    // from the example), then `cargo xtask codegen`.
    for file in &hand_written {
        let to = root.join(file);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(example.join(file), &to).unwrap();
    }
    let generated = crate::codegen::run(root, false);
    assert!(generated.is_ok(), "{generated:?}");
    let operations = crate::codegen::load_and_lower(&root.join("fixtures/quill/api.yaml"));
    assert_eq!(operations, Ok(5), "four operations and one webhook");
    let fresh = crate::codegen::run(root, true);
    assert!(fresh.is_ok(), "{fresh:?}");

    // Nothing outside the provider's own paths was edited by hand: every other change since
    // the original workspace is a file new-provider or codegen writes.
    git(root, &["add", "-A"]);
    let changed = git(root, &["diff", "--cached", "--name-only", original.trim()]);
    for path in changed.lines() {
        assert!(
            is_own(path) || GENERATED.contains(&path),
            "{path} changed, and it is neither the provider's own nor generated"
        );
    }
    // The hand-written part, measured against the scaffold: the provider's knowledge, in
    // net lines of Rust (added minus removed; the generated wire code is not counted).
    let numstat = git(root, &["diff", "--cached", "--numstat", "HEAD"]);
    let written: i64 = numstat
        .lines()
        .filter_map(|line| {
            let mut columns = line.split('\t');
            let added = columns.next()?.parse::<i64>().ok()?;
            let removed = columns.next()?.parse::<i64>().ok()?;
            let path = columns.next()?;
            let code = path.ends_with(".rs") && !path.ends_with("/generated.rs");
            (code && is_own(path)).then_some(added - removed)
        })
        .sum();
    assert!(
        (200..=450).contains(&written),
        "{written} net lines of Rust written over the scaffold; the guide says about 410"
    );

    // Tidy's file rules hold for the provider's files.
    let tree = crate::tidy::Tree::new(root.to_path_buf());
    for check in crate::tidy::CHECKS.iter().filter(|c| {
        matches!(
            c.name,
            "modules_start_with_doc_comment"
                | "no_printing_in_libraries"
                | "no_should_panic_or_ignore"
        )
    }) {
        // Only the provider's files: the rest of the copy is the workspace as it stands.
        let violations: Vec<_> = (check.run)(&tree)
            .into_iter()
            .filter(|v| is_own(&v.location))
            .collect();
        assert!(violations.is_empty(), "{}: {violations:?}", check.name);
    }

    // The provider's tests: the scaffold's create-and-read tests against the fake, the full
    // conformance kit (cancel, refunds, webhooks) and the repeated cancel.
    let output = cargo(root, &["test", "--offline", "-p", "pay-quill"]);
    assert!(
        output.contains("test conformance::the_full_conformance_kit_passes ... ok"),
        "{output}"
    );
    // The facade: `pay::Config` reads Quill's variables through its adapter's settings hook
    // (registered by codegen in `crates/pay/src/configured.rs`) and connects.
    let output = cargo(
        root,
        &[
            "test",
            "--offline",
            "-p",
            "pay",
            "--features",
            NAME,
            "--lib",
        ],
    );
    assert!(
        output.contains("test config::tests::adapter_hooks_configure_and_connect ... ok"),
        "{output}"
    );
}
