//! Test support: a throwaway copy of this workspace with its own git repository, for tests
//! of commands that edit the tree (`release`, `new-provider`).

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
    time::{SystemTime, UNIX_EPOCH},
};

/// Command-line arguments from string literals.
pub(crate) fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|&a| a.to_owned()).collect()
}

/// A copy of the workspace's files (tracked, plus untracked ones git does not ignore) in a
/// fresh git repository with one commit; removed on drop.
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
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
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
