//! Test support: a throwaway copy of this workspace with its own git repository, for tests
//! of commands that edit the tree (`release`, `new-provider`).

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
    sync::{Mutex, PoisonError},
    time::{SystemTime, UNIX_EPOCH},
};

/// Command-line arguments from string literals.
pub(crate) fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|&a| a.to_owned()).collect()
}

/// A copy of the workspace's files (tracked, plus untracked ones git does not ignore) in a
/// fresh git repository with one commit; removed on drop.
///
/// Each copy keeps its source's modification time, so a build of the copy that shares this
/// build's target directory finds the crates it did not change fresh (cargo's fingerprints
/// of workspace crates are relative to the workspace root) and compiles only what the test
/// changed.
#[derive(Debug)]
pub(crate) struct TempWorkspace {
    root: PathBuf,
}

impl TempWorkspace {
    /// Copies the workspace into a new temporary directory named after `label`.
    pub(crate) fn copy(label: &str) -> TempWorkspace {
        let source = crate::project_root();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let root =
            std::env::temp_dir().join(format!("pay-xtask-{label}-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&root).unwrap();
        let listing = run_git(
            &source,
            &[
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
        );
        for file in listing.split('\0').filter(|f| !f.is_empty()) {
            let from = source.join(file);
            if !from.is_file() {
                continue; // Deleted in the working tree.
            }
            let to = root.join(file);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::copy(&from, &to).unwrap();
            keep_modification_time(&from, &to);
        }
        run_git(&root, &["init", "-q"]);
        let workspace = TempWorkspace { root };
        workspace.commit_all();
        workspace
    }

    /// The copy's root.
    pub(crate) fn path(&self) -> &Path {
        &self.root
    }

    /// Commits everything in the copy.
    pub(crate) fn commit_all(&self) {
        run_git(&self.root, &["add", "-A"]);
        run_git(
            &self.root,
            &[
                "-c",
                "user.name=xtask test",
                "-c",
                "user.email=xtask@example.invalid",
                "-c",
                "commit.gpgsign=false",
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                "snapshot",
            ],
        );
    }
}

impl Drop for TempWorkspace {
    /// Removes the copy, unless `PAY_XTASK_KEEP_COPY` is set (to look at a failed test's copy).
    fn drop(&mut self) {
        if std::env::var_os("PAY_XTASK_KEEP_COPY").is_some() {
            eprintln!("kept the workspace copy {}", self.root.display());
            return;
        }
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// Runs `git args` in `dir` and returns its output; fails the test when git fails.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    run_git(dir, args)
}

/// Runs `cargo args` in `root` with this build's target directory (so dependencies are not
/// rebuilt) and returns its standard output; fails the test with cargo's output when it
/// fails.
///
/// One at a time in this process: two copies' builds share crates of the same name in the
/// target directory, and one must not replace an artefact the other is about to read (a doc
/// test links the rlibs after the build has finished).
pub(crate) fn cargo(root: &Path, args: &[&str]) -> String {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| crate::project_root().join("target"), PathBuf::from);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .args(args)
        .current_dir(root)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "cargo {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Gives `to` the modification time of `from` (best effort: a copy that cannot keep it is
/// only rebuilt, never wrong).
fn keep_modification_time(from: &Path, to: &Path) {
    let Ok(modified) = fs::metadata(from).and_then(|meta| meta.modified()) else {
        return;
    };
    if let Ok(file) = fs::File::options().write(true).open(to) {
        let _ = file.set_modified(modified);
    }
}

fn run_git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
