//! Each provider feature compiles that provider only: a downstream crate that enables one
//! provider builds none of the other (checked on the resolved graph with `cargo tree`).

use std::process::Command;

/// The workspace packages in `pay`'s normal dependency graph with `features`.
fn workspace_crates_with(features: &str) -> Vec<String> {
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "tree",
        "--package",
        "pay",
        "--edges",
        "normal",
        "--prefix",
        "none",
        "--format",
        "{p}",
        "--offline",
        "--no-default-features",
    ]);
    if !features.is_empty() {
        command.args(["--features", features]);
    }
    let output = command.output().expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut names: Vec<String> = String::from_utf8(output.stdout)
        .expect("utf-8")
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name == "pay" || name.starts_with("pay-"))
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn one_provider_builds_without_the_other() {
    assert_eq!(workspace_crates_with(""), ["pay", "pay-core"]);
    assert_eq!(
        workspace_crates_with("easypay"),
        ["pay", "pay-core", "pay-easypay", "pay-http", "pay-signing"]
    );
    assert_eq!(
        workspace_crates_with("easytransac"),
        [
            "pay",
            "pay-core",
            "pay-easytransac",
            "pay-http",
            "pay-signing"
        ]
    );
    assert_eq!(
        workspace_crates_with("mock"),
        ["pay", "pay-core"],
        "the mocks add no provider"
    );
}

#[test]
fn the_journal_is_compiled_only_when_asked_for() {
    assert_eq!(
        workspace_crates_with("journal"),
        ["pay", "pay-core", "pay-journal"],
        "the journal adds no provider"
    );
    let without = Command::new(env!("CARGO"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "tree",
            "--package",
            "pay",
            "--edges",
            "normal",
            "--prefix",
            "none",
            "--offline",
            "--no-default-features",
            "--features",
            "easypay,easytransac",
        ])
        .output()
        .expect("cargo tree runs");
    assert!(without.status.success());
    let tree = String::from_utf8(without.stdout).expect("utf-8");
    assert!(!tree.contains("sqlx"), "sqlx without the journal feature");
    assert!(!tree.contains("pay-journal"));
}
