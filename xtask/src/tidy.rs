//! `cargo xtask tidy`: repository rules that rustc and clippy cannot check.
//!
//! Each check is a pure function over file contents or the parsed dependency graph, so it is
//! unit-tested with a good and a bad input, plus a `#[test]` that runs it on the real tree:
//! `cargo test` enforces every rule, and `cargo xtask tidy` prints all violations at once.
//! To add a rule, write the pure function, list it in [`CHECKS`], and add both kinds of test.

use std::{
    fmt, fs,
    path::{Path, PathBuf},
    sync::OnceLock,
};

use crate::metadata::{DependencyKind, Metadata};

/// Dependencies `pay-core` must never reach through normal dependencies: no HTTP, TLS,
/// crypto or async runtime (STYLE.md item 4; ARCHITECTURE.md "pay-core never performs I/O").
const PAY_CORE_BANNED: &[&str] = &[
    // HTTP (the shared transport included).
    "pay-http",
    "reqwest",
    "hyper",
    "hyper-util",
    "http",
    "h2",
    // Async runtimes.
    "tokio",
    "async-std",
    "smol",
    // TLS.
    "rustls",
    "native-tls",
    "openssl",
    "openssl-sys",
    // Crypto.
    "aws-lc-rs",
    "aws-lc-sys",
    "ring",
    "rsa",
    "sha1",
    "sha2",
    "hmac",
    "md-5",
    "jsonwebtoken",
    "subtle",
    // Storage: the write journal's trait lives in pay-core, its databases in pay-journal.
    "pay-journal",
    "sqlx",
];

/// Dependencies `pay-signing` must never reach: it is crypto only, no HTTP or runtime.
const PAY_SIGNING_BANNED: &[&str] = &[
    "pay-http",
    "reqwest",
    "hyper",
    "hyper-util",
    "h2",
    "tokio",
    "http",
];

/// Dependencies `pay-http`, the shared transport, must never reach: a second TLS stack, or
/// anything that knows a provider (signing lives in the adapters, fakes in tests). Beyond
/// this list, its only workspace dependency may be `pay-core` ([`PAY_HTTP_MEMBERS`]).
const PAY_HTTP_BANNED: &[&str] = &[
    "openssl",
    "openssl-sys",
    "native-tls",
    "pay-signing",
    "pay-testkit",
    // The journal is reached through pay-core's `WriteJournal` trait, never its crate.
    "pay-journal",
    "sqlx",
];

/// The workspace members `pay-journal` may depend on: pay-core (the traits it implements)
/// and, for its `cli` feature, the adapters with what they bring. Never the facade or the
/// fakes.
const PAY_JOURNAL_MEMBERS: &[&str] = &[
    "pay-core",
    "pay-easypay",
    "pay-easytransac",
    "pay-http",
    "pay-signing",
];

/// The workspace members `pay-http` may depend on: pay-core ← pay-http ← adapters.
const PAY_HTTP_MEMBERS: &[&str] = &["pay-core"];

/// Workspace members that are not provider adapters: every other `pay-NAME` member is one,
/// and `NAME` must not appear in `pay-http`'s source.
const NOT_ADAPTERS: &[&str] = &[
    "pay",
    "pay-cli",
    "pay-core",
    "pay-demo",
    "pay-http",
    "pay-journal",
    "pay-proofs",
    "pay-signing",
    "pay-testkit",
    "xtask",
];

/// Printing macros that library code must not call: libraries report through return values
/// (and, later, `tracing`), never by writing to the user's terminal.
const PRINT_MACROS: &[&str] = &["println", "eprintln", "print", "eprint", "dbg"];

/// Test attributes we do not use (docs/style.md): a test that expects a panic should assert
/// on a `Result`, and an ignored test is a test nobody runs. Spelled in two halves so this
/// file does not trip its own check.
const BANNED_TEST_ATTRIBUTES: &[&str] = &[concat!("#[", "should_panic"), concat!("#[", "ignore")];

/// One tidy rule: a name for humans and a function that lists its violations.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Check {
    /// Short name, as used by the `#[test]` that runs it.
    pub(crate) name: &'static str,
    /// Returns every violation of the rule in `tree`.
    pub(crate) run: fn(&Tree) -> Vec<Violation>,
}

/// Every rule `cargo xtask tidy` enforces.
pub(crate) const CHECKS: &[Check] = &[
    Check {
        name: "layering",
        run: layering,
    },
    Check {
        name: "testkit_is_dev_only",
        run: testkit_is_dev_only,
    },
    Check {
        name: "internal_dependencies_are_versioned",
        run: internal_dependencies_are_versioned,
    },
    Check {
        name: "no_floats_in_pay_core",
        run: no_floats_in_pay_core,
    },
    Check {
        name: "modules_start_with_doc_comment",
        run: modules_start_with_doc_comment,
    },
    Check {
        name: "no_printing_in_libraries",
        run: no_printing_in_libraries,
    },
    Check {
        name: "no_should_panic_or_ignore",
        run: no_should_panic_or_ignore,
    },
];

/// One broken rule, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    /// `path:line`, a path, or a package name.
    pub(crate) location: String,
    /// What is wrong and how to fix it.
    pub(crate) message: String,
}

impl Violation {
    fn new(location: impl Into<String>, message: impl Into<String>) -> Violation {
        Violation {
            location: location.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// The repository being checked: its root, and its dependency graph once it is needed.
#[derive(Debug)]
pub(crate) struct Tree {
    root: PathBuf,
    metadata: OnceLock<Result<Metadata, String>>,
}

impl Tree {
    /// A tree rooted at `root` (the directory holding the workspace `Cargo.toml`).
    pub(crate) fn new(root: PathBuf) -> Tree {
        Tree {
            root,
            metadata: OnceLock::new(),
        }
    }

    /// The dependency graph, loaded with `cargo metadata` on first use.
    fn metadata(&self) -> Result<&Metadata, Violation> {
        self.metadata
            .get_or_init(|| Metadata::load(&self.root))
            .as_ref()
            .map_err(|err| Violation::new("Cargo.toml", err.clone()))
    }

    /// `path` relative to the root, with `/` separators, for messages.
    fn display(&self, path: &Path) -> String {
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The `crates/*` directories, sorted.
    fn crate_dirs(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = fs::read_dir(self.root.join("crates"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.is_dir())
            .collect();
        dirs.sort();
        dirs
    }

    /// Runs `check` on every file in `files`, turning unreadable files into violations.
    fn check_files(
        &self,
        files: impl IntoIterator<Item = PathBuf>,
        check: impl Fn(&str, &str) -> Vec<Violation>,
    ) -> Vec<Violation> {
        let mut violations = Vec::new();
        for file in files {
            let shown = self.display(&file);
            match fs::read_to_string(&file) {
                Ok(text) => violations.extend(check(&shown, &text)),
                Err(err) => violations.push(Violation::new(shown, format!("cannot read: {err}"))),
            }
        }
        violations
    }
}

/// Runs every check and returns the failing ones with their violations, in [`CHECKS`] order.
pub(crate) fn run_all(tree: &Tree) -> Vec<(&'static str, Vec<Violation>)> {
    CHECKS
        .iter()
        .map(|check| (check.name, (check.run)(tree)))
        .filter(|(_, violations)| !violations.is_empty())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Checks on the real tree: choose the inputs, then call a pure function below.
// ---------------------------------------------------------------------------------------------

/// The graph is `cargo metadata --all-features` for the whole workspace, so features other
/// members enable on shared dependencies count too: a superset of what a user of `pay-core`
/// alone gets. A hit is therefore either real or one feature flag away from real.
fn layering(tree: &Tree) -> Vec<Violation> {
    match tree.metadata() {
        Ok(metadata) => {
            let mut violations = banned_dependencies(metadata, "pay-core", PAY_CORE_BANNED);
            violations.extend(banned_dependencies(
                metadata,
                "pay-signing",
                PAY_SIGNING_BANNED,
            ));
            violations.extend(banned_dependencies(metadata, "pay-http", PAY_HTTP_BANNED));
            violations.extend(members_outside(metadata, "pay-http", PAY_HTTP_MEMBERS));
            violations.extend(members_outside(
                metadata,
                "pay-journal",
                PAY_JOURNAL_MEMBERS,
            ));
            let adapters = adapter_names(metadata);
            let src = tree.root.join("crates/pay-http/src");
            violations.extend(tree.check_files(rust_files(&src), |path, text| {
                provider_names(path, text, &adapters)
            }));
            violations
        }
        Err(violation) => vec![violation],
    }
}

fn testkit_is_dev_only(tree: &Tree) -> Vec<Violation> {
    match tree.metadata() {
        Ok(metadata) => testkit_outside_dev_dependencies(metadata),
        Err(violation) => vec![violation],
    }
}

fn internal_dependencies_are_versioned(tree: &Tree) -> Vec<Violation> {
    let manifest = tree.root.join("Cargo.toml");
    let mut violations = tree.check_files([manifest], unversioned_workspace_dependencies);
    match tree.metadata() {
        Ok(metadata) => violations.extend(unversioned_path_dependencies(metadata)),
        Err(violation) => violations.push(violation),
    }
    violations
}

fn no_floats_in_pay_core(tree: &Tree) -> Vec<Violation> {
    let core = tree.root.join("crates/pay-core");
    let mut files: Vec<PathBuf> = ["src", "tests", "benches", "examples"]
        .iter()
        .flat_map(|dir| rust_files(&core.join(dir)))
        .collect();
    // Generated code must obey the same rules as hand-written code (STYLE.md item 14), and
    // a generator fed `format: double` is where an `f64` would sneak in.
    for krate in tree.crate_dirs() {
        let src = krate.join("src");
        files.extend(rust_files(&src).into_iter().filter(|file| {
            let inside = file.strip_prefix(&src).unwrap_or(file);
            inside
                .components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with("generated"))
        }));
    }
    files.sort();
    files.dedup();
    tree.check_files(files, float_types)
}

fn modules_start_with_doc_comment(tree: &Tree) -> Vec<Violation> {
    let mut files: Vec<PathBuf> = tree
        .crate_dirs()
        .iter()
        .flat_map(|krate| rust_files(&krate.join("src")))
        .collect();
    files.extend(rust_files(&tree.root.join("xtask/src")));
    tree.check_files(files, missing_module_doc)
}

fn no_printing_in_libraries(tree: &Tree) -> Vec<Violation> {
    let mut files = Vec::new();
    for krate in tree.crate_dirs() {
        let src = krate.join("src");
        // Binaries may print: that is their interface.
        files.extend(
            rust_files(&src)
                .into_iter()
                .filter(|file| *file != src.join("main.rs") && !file.starts_with(src.join("bin"))),
        );
    }
    tree.check_files(files, printing)
}

fn no_should_panic_or_ignore(tree: &Tree) -> Vec<Violation> {
    let mut files = rust_files(&tree.root.join("crates"));
    files.extend(rust_files(&tree.root.join("xtask")));
    tree.check_files(files, banned_test_attributes)
}

// ---------------------------------------------------------------------------------------------
// Pure checks.
// ---------------------------------------------------------------------------------------------

/// Every package in `banned` that workspace member `krate` reaches through normal
/// dependencies, reported with the chain that pulls it in.
fn banned_dependencies(metadata: &Metadata, krate: &str, banned: &[&str]) -> Vec<Violation> {
    let Some(package) = metadata.member(krate) else {
        return vec![Violation::new(
            krate,
            "is not a workspace member; the layering check needs it",
        )];
    };
    metadata
        .normal_dependency_paths(&package.id)
        .into_iter()
        .filter(|path| path.last().is_some_and(|name| banned.contains(name)))
        .map(|path| {
            let culprit = path.last().copied().unwrap_or_default();
            Violation::new(
                krate,
                format!(
                    "must not depend on `{culprit}` (STYLE.md item 4), but does via {}",
                    path.join(" -> ")
                ),
            )
        })
        .collect()
}

/// Every workspace member other than `allowed` that member `krate` reaches through normal
/// dependencies, with the chain (a shared layer must not depend on an adapter).
fn members_outside(metadata: &Metadata, krate: &str, allowed: &[&str]) -> Vec<Violation> {
    let Some(package) = metadata.member(krate) else {
        return vec![Violation::new(
            krate,
            "is not a workspace member; the layering check needs it",
        )];
    };
    metadata
        .normal_dependency_paths(&package.id)
        .into_iter()
        .filter(|path| {
            path.len() > 1
                && path
                    .last()
                    .is_some_and(|name| metadata.member(name).is_some() && !allowed.contains(name))
        })
        .map(|path| {
            Violation::new(
                krate,
                format!(
                    "may depend only on {} among workspace crates, but reaches `{}` via {}",
                    allowed.join(", "),
                    path.last().copied().unwrap_or_default(),
                    path.join(" -> ")
                ),
            )
        })
        .collect()
}

/// The provider names of the adapter members (`pay-easypay` → `easypay`).
fn adapter_names(metadata: &Metadata) -> Vec<String> {
    let mut names: Vec<String> = metadata
        .packages
        .iter()
        .filter(|p| p.is_member && !NOT_ADAPTERS.contains(&p.name.as_str()))
        .filter_map(|p| p.name.strip_prefix("pay-").map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Every line of `text` naming one of the `providers` (ignoring case): the shared
/// transport must stay provider-neutral, in code and in docs.
fn provider_names(path: &str, text: &str, providers: &[String]) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let lower = line.to_lowercase();
        if let Some(name) = providers.iter().find(|name| lower.contains(name.as_str())) {
            violations.push(Violation::new(
                format!("{path}:{}", index + 1),
                format!(
                    "names the provider `{name}`: pay-http knows no provider; put it in the \
                     adapter's hooks"
                ),
            ));
        }
    }
    violations
}

/// The members that may declare `pay-testkit` outside `[dev-dependencies]`, and how:
/// the facade `pay` as an optional dependency (its `testkit` feature, which users enable
/// in their own dev-dependencies), and `pay-demo`, the binary whose job is to run the
/// fakes (nothing depends on it).
const TESTKIT_HOSTS: &[(&str, TestkitUse)] = &[
    ("pay", TestkitUse::OptionalOnly),
    ("pay-demo", TestkitUse::Binary),
    ("pay-cli", TestkitUse::Binary),
];

/// How a [`TESTKIT_HOSTS`] member may use pay-testkit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TestkitUse {
    /// As an optional `[dependencies]` entry only.
    OptionalOnly,
    /// As a normal dependency of a binary no member depends on.
    Binary,
}

/// Every workspace member that declares `pay-testkit` anywhere but `[dev-dependencies]`,
/// except as [`TESTKIT_HOSTS`] allows; and any member depending on a `Binary` host.
fn testkit_outside_dev_dependencies(metadata: &Metadata) -> Vec<Violation> {
    let mut violations = Vec::new();
    for package in metadata.packages.iter().filter(|p| p.is_member) {
        let host = TESTKIT_HOSTS
            .iter()
            .find(|(name, _)| *name == package.name)
            .map(|&(_, how)| how);
        for dep in &package.dependencies {
            if let Some((_, TestkitUse::Binary)) =
                TESTKIT_HOSTS.iter().find(|(name, _)| *name == dep.name)
            {
                violations.push(Violation::new(
                    &package.name,
                    format!(
                        "depends on {}, a binary that carries pay-testkit; nothing may",
                        dep.name
                    ),
                ));
            }
            if dep.name != "pay-testkit" || dep.kind == DependencyKind::Dev {
                continue;
            }
            let allowed = match host {
                Some(TestkitUse::Binary) => dep.kind == DependencyKind::Normal,
                Some(TestkitUse::OptionalOnly) => {
                    dep.kind == DependencyKind::Normal && dep.optional
                }
                None => false,
            };
            if !allowed {
                let rule = if host == Some(TestkitUse::OptionalOnly) {
                    "it may only be an optional [dependencies] entry (a feature) or a \
                     [dev-dependencies] entry"
                } else {
                    "it may only be a [dev-dependencies] entry"
                };
                violations.push(Violation::new(
                    &package.name,
                    format!("declares pay-testkit in {}; {rule}", dep.kind.table()),
                ));
            }
        }
    }
    violations
}

/// Every path dependency of a workspace member that carries no version requirement, which
/// would make the crate unpublishable and let internal versions drift.
fn unversioned_path_dependencies(metadata: &Metadata) -> Vec<Violation> {
    let mut violations = Vec::new();
    for package in metadata.packages.iter().filter(|p| p.is_member) {
        for dep in &package.dependencies {
            if dep.path.is_some() && dep.req == "*" {
                violations.push(Violation::new(
                    &package.name,
                    format!(
                        "path dependency `{}` in {} has no version; declare it once in the root \
                         [workspace.dependencies] with `path` and `version`, then use \
                         `{}.workspace = true`",
                        dep.name,
                        dep.kind.table(),
                        dep.name
                    ),
                ));
            }
        }
    }
    violations
}

/// Every `[workspace.dependencies]` entry of the root manifest that has a `path` but no
/// `version`.
fn unversioned_workspace_dependencies(path: &str, manifest: &str) -> Vec<Violation> {
    enum Section {
        /// `[workspace.dependencies]`: one inline entry per line.
        Table,
        /// `[workspace.dependencies.NAME]`: the lines belong to the last entry.
        SubTable,
        Other,
    }
    // (entry name, line number, entry text).
    let mut entries: Vec<(String, usize, String)> = Vec::new();
    let mut section = Section::Other;
    for (index, line) in manifest.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if let Some(header) = line.strip_prefix('[') {
            let header = header.trim_end_matches(']').trim();
            section = if header == "workspace.dependencies" {
                Section::Table
            } else if let Some(name) = header.strip_prefix("workspace.dependencies.") {
                entries.push((name.to_owned(), index + 1, String::new()));
                Section::SubTable
            } else {
                Section::Other
            };
            continue;
        }
        match section {
            Section::Table => {
                if let Some((name, value)) = line.split_once('=') {
                    entries.push((name.trim().to_owned(), index + 1, value.to_owned()));
                }
            }
            Section::SubTable => {
                if let Some(last) = entries.last_mut() {
                    last.2.push_str(line);
                    last.2.push('\n');
                }
            }
            Section::Other => {}
        }
    }
    entries
        .into_iter()
        .filter(|(_, _, text)| has_key(text, "path") && !has_key(text, "version"))
        .map(|(name, line, _)| {
            Violation::new(
                format!("{path}:{line}"),
                format!("internal dependency `{name}` has a `path` but no `version`"),
            )
        })
        .collect()
}

/// Every `f32`/`f64` type or float-suffixed literal (`1.5f64`) in `text`.
fn float_types(path: &str, text: &str) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (index, line) in text.lines().enumerate() {
        for (_, token) in tokens(line) {
            let is_float = ["f32", "f64"].iter().any(|ty| {
                token == *ty
                    || (token.starts_with(|c: char| c.is_ascii_digit())
                        && !token.starts_with("0x")
                        && !token.starts_with("0b")
                        && !token.starts_with("0o")
                        && token.ends_with(ty))
            });
            if is_float {
                violations.push(Violation::new(
                    format!("{path}:{}", index + 1),
                    format!(
                        "`{token}`: no floating point here; money is integer minor units or an exact \
                         decimal (STYLE.md item 7), and comments must not say it either"
                    ),
                ));
            }
        }
    }
    violations
}

/// A violation unless the first non-blank line of `text` is a `//!` module doc.
fn missing_module_doc(path: &str, text: &str) -> Vec<Violation> {
    let first = text
        .lines()
        .enumerate()
        .find(|(_, line)| !line.trim().is_empty());
    match first {
        Some((_, line)) if line.trim_start().starts_with("//!") => Vec::new(),
        Some((index, _)) => vec![Violation::new(
            format!("{path}:{}", index + 1),
            "module must start with a `//!` comment saying what it is for",
        )],
        None => vec![Violation::new(
            path,
            "empty module: start it with a `//!` comment",
        )],
    }
}

/// Every call of a printing macro (see [`PRINT_MACROS`]) outside comments.
fn printing(path: &str, text: &str) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (index, line) in code_lines(text) {
        for (end, token) in tokens(line).map(|(start, token)| (start + token.len(), token)) {
            if PRINT_MACROS.contains(&token) && line[end..].starts_with('!') {
                violations.push(Violation::new(
                    format!("{path}:{}", index + 1),
                    format!("`{token}!` in library code: return the information, or use `tracing`"),
                ));
            }
        }
    }
    violations
}

/// Every `should_panic` or `ignore` test attribute outside comments, including the
/// `cfg_attr(..., ignore)` form.
fn banned_test_attributes(path: &str, text: &str) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (index, line) in code_lines(text) {
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        let direct = BANNED_TEST_ATTRIBUTES.iter().find(|attr| {
            compact.match_indices(**attr).any(|(start, _)| {
                // `#[ignored_thing]` is some other attribute.
                !compact[start + attr.len()..]
                    .starts_with(|c: char| c.is_alphanumeric() || c == '_')
            })
        });
        let conditional = compact.contains(concat!("#[cfg_attr", "("))
            && tokens(&compact).any(|(_, token)| matches!(token, "should_panic" | "ignore"));
        if let Some(attr) = direct
            .map(|a| format!("{a}]"))
            .or(conditional.then(|| compact.clone()))
        {
            violations.push(Violation::new(
                format!("{path}:{}", index + 1),
                format!(
                    "`{attr}`: assert on a `Result` instead of expecting a panic, and delete or \
                     fix tests rather than ignoring them (docs/style.md)"
                ),
            ));
        }
    }
    violations
}

// ---------------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------------

/// Whether `text` (TOML key/value pairs) sets `key`.
fn has_key(text: &str, key: &str) -> bool {
    tokens(text).any(|(start, token)| {
        token == key && text[start + token.len()..].trim_start().starts_with('=')
    })
}

/// Identifier-like tokens (`[A-Za-z0-9_]+`, Unicode letters included) with their byte
/// offsets.
fn tokens(line: &str) -> impl Iterator<Item = (usize, &str)> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut rest = line.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = rest.by_ref().find(|&(_, c)| is_word(c))?;
        let mut end = line.len();
        while let Some(&(i, c)) = rest.peek() {
            if !is_word(c) {
                end = i;
                break;
            }
            rest.next();
        }
        Some((start, &line[start..end]))
    })
}

/// Lines that are not `//` comments (doc examples may print; commented-out code is inert),
/// with their zero-based indexes.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
}

/// Every `.rs` file under `dir`, sorted; nothing if `dir` does not exist. Skips `target`
/// directories and hidden directories.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if path.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    pending.push(path);
                }
            } else if name.ends_with(".rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;
    use crate::metadata::{DeclaredDependency, Node, NodeDep, Package};

    // --- The rules, applied to the real tree. -----------------------------------------------

    /// One tree for all tests, so `cargo metadata` runs once per test binary.
    fn tree() -> &'static Tree {
        static TREE: OnceLock<Tree> = OnceLock::new();
        TREE.get_or_init(|| Tree::new(crate::project_root()))
    }

    fn assert_clean(name: &str) {
        let check = CHECKS.iter().find(|c| c.name == name).unwrap();
        let violations = (check.run)(tree());
        let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
        assert!(
            list.is_empty(),
            "tidy check `{name}` failed:\n  {}\n",
            list.join("\n  ")
        );
    }

    #[test]
    fn every_check_has_a_test() {
        let source = include_str!("tidy.rs");
        for check in CHECKS {
            let test = format!(
                "fn {}() {{\n        assert_clean(\"{}\")",
                check.name, check.name
            );
            assert!(
                source.contains(&test),
                "add `#[test] {test}; }}` to tidy::tests"
            );
        }
    }

    #[test]
    fn layering() {
        assert_clean("layering")
    }

    #[test]
    fn testkit_is_dev_only() {
        assert_clean("testkit_is_dev_only")
    }

    #[test]
    fn internal_dependencies_are_versioned() {
        assert_clean("internal_dependencies_are_versioned")
    }

    #[test]
    fn no_floats_in_pay_core() {
        assert_clean("no_floats_in_pay_core")
    }

    #[test]
    fn modules_start_with_doc_comment() {
        assert_clean("modules_start_with_doc_comment")
    }

    #[test]
    fn no_printing_in_libraries() {
        assert_clean("no_printing_in_libraries")
    }

    #[test]
    fn no_should_panic_or_ignore() {
        assert_clean("no_should_panic_or_ignore")
    }

    // --- The rules, shown to fail when they should. -----------------------------------------

    fn package(name: &str, deps: &[(&str, DependencyKind, &str, Option<&str>)]) -> Package {
        Package {
            id: format!("id:{name}"),
            name: name.to_owned(),
            is_member: name.starts_with("pay"),
            dependencies: deps
                .iter()
                .map(|&(name, kind, req, path)| DeclaredDependency {
                    name: name.to_owned(),
                    kind,
                    req: req.to_owned(),
                    path: path.map(str::to_owned),
                    optional: false,
                })
                .collect(),
            publishable: false,
        }
    }

    /// A graph from `(from, to, is_normal)` edges; names starting with `pay` are members.
    fn graph(edges: &[(&str, &str, bool)]) -> Metadata {
        let mut names: Vec<&str> = edges.iter().flat_map(|&(a, b, _)| [a, b]).collect();
        names.sort_unstable();
        names.dedup();
        Metadata {
            packages: names.iter().map(|name| package(name, &[])).collect(),
            nodes: names
                .iter()
                .map(|name| Node {
                    id: format!("id:{name}"),
                    deps: edges
                        .iter()
                        .filter(|(from, _, _)| from == name)
                        .map(|&(_, to, normal)| NodeDep {
                            pkg: format!("id:{to}"),
                            normal,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    fn messages(violations: &[Violation]) -> Vec<String> {
        violations.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn layering_reports_the_chain_to_a_banned_crate() {
        let metadata = graph(&[
            ("pay-core", "thiserror", true),
            ("pay-core", "helper", true),
            ("helper", "reqwest", true),
            ("reqwest", "tokio", true),
        ]);
        assert_eq!(
            messages(&banned_dependencies(&metadata, "pay-core", PAY_CORE_BANNED)),
            [
                "pay-core: must not depend on `reqwest` (STYLE.md item 4), but does via \
                 pay-core -> helper -> reqwest",
                "pay-core: must not depend on `tokio` (STYLE.md item 4), but does via \
                 pay-core -> helper -> reqwest -> tokio",
            ]
        );
    }

    #[test]
    fn layering_ignores_dev_and_build_edges() {
        let metadata = graph(&[
            ("pay-core", "thiserror", true),
            ("pay-core", "tokio", false),
            ("pay-signing", "sha1", true),
            ("pay-signing", "reqwest", false),
        ]);
        assert_eq!(
            banned_dependencies(&metadata, "pay-core", PAY_CORE_BANNED),
            []
        );
        assert_eq!(
            banned_dependencies(&metadata, "pay-signing", PAY_SIGNING_BANNED),
            []
        );
    }

    #[test]
    fn layering_keeps_pay_http_provider_neutral() {
        let good = graph(&[
            ("pay-http", "pay-core", true),
            ("pay-http", "reqwest", true),
            ("reqwest", "rustls", true),
            ("pay-http", "pay-testkit", false),
            ("pay-easypay", "pay-http", true),
        ]);
        assert_eq!(banned_dependencies(&good, "pay-http", PAY_HTTP_BANNED), []);
        assert_eq!(members_outside(&good, "pay-http", PAY_HTTP_MEMBERS), []);
        assert_eq!(adapter_names(&good), ["easypay"]);

        let bad = graph(&[
            ("pay-http", "pay-core", true),
            ("pay-http", "pay-easypay", true),
            ("pay-easypay", "pay-signing", true),
            ("pay-http", "reqwest", true),
            ("reqwest", "native-tls", true),
        ]);
        assert_eq!(
            messages(&banned_dependencies(&bad, "pay-http", PAY_HTTP_BANNED)),
            [
                "pay-http: must not depend on `pay-signing` (STYLE.md item 4), but does via \
                 pay-http -> pay-easypay -> pay-signing",
                "pay-http: must not depend on `native-tls` (STYLE.md item 4), but does via \
                 pay-http -> reqwest -> native-tls",
            ]
        );
        assert_eq!(
            messages(&members_outside(&bad, "pay-http", PAY_HTTP_MEMBERS)),
            [
                "pay-http: may depend only on pay-core among workspace crates, but reaches \
                 `pay-easypay` via pay-http -> pay-easypay",
                "pay-http: may depend only on pay-core among workspace crates, but reaches \
                 `pay-signing` via pay-http -> pay-easypay -> pay-signing",
            ]
        );
        // pay-core reaching the transport is an HTTP dependency like any other.
        let core = graph(&[("pay-core", "pay-http", true)]);
        assert_eq!(
            banned_dependencies(&core, "pay-core", PAY_CORE_BANNED).len(),
            1
        );
    }

    #[test]
    fn pay_http_source_names_no_provider() {
        let providers = ["easypay".to_owned(), "easytransac".to_owned()];
        let good = "//! The transport.\nfn send() {} // a provider's advice header\n";
        assert_eq!(provider_names("lib.rs", good, &providers), []);
        let bad =
            "//! The transport.\n/// Reads `X-Easypay-Should-Retry`.\nconst EASYTRANSAC: u8 = 1;\n";
        let found: Vec<String> = provider_names("lib.rs", bad, &providers)
            .into_iter()
            .map(|v| {
                format!(
                    "{} {}",
                    v.location,
                    v.message.split(':').next().unwrap_or_default()
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                "lib.rs:2 names the provider `easypay`",
                "lib.rs:3 names the provider `easytransac`",
            ]
        );
    }

    #[test]
    fn layering_needs_the_crate_to_exist() {
        let metadata = graph(&[("pay", "pay-signing", true)]);
        assert_eq!(
            messages(&banned_dependencies(&metadata, "pay-core", PAY_CORE_BANNED)),
            ["pay-core: is not a workspace member; the layering check needs it"]
        );
    }

    #[test]
    fn testkit_only_in_dev_dependencies() {
        use DependencyKind::{Build, Dev, Normal};
        let mut optional_facade = package("pay", &[("pay-testkit", Normal, "^0.0.0", None)]);
        optional_facade.dependencies[0].optional = true;
        let good = Metadata {
            packages: vec![
                package("pay-easypay", &[("pay-testkit", Dev, "^0.0.0", None)]),
                optional_facade,
                package("pay-demo", &[("pay-testkit", Normal, "^0.0.0", None)]),
            ],
            nodes: Vec::new(),
        };
        assert_eq!(testkit_outside_dev_dependencies(&good), []);

        let bad = Metadata {
            packages: vec![
                package("pay", &[("pay-testkit", Normal, "^0.0.0", None)]),
                package("pay-easypay", &[("pay-testkit", Build, "^0.0.0", None)]),
                package("pay-app", &[("pay-demo", Normal, "^0.0.0", None)]),
            ],
            nodes: Vec::new(),
        };
        assert_eq!(
            messages(&testkit_outside_dev_dependencies(&bad)),
            [
                "pay: declares pay-testkit in [dependencies]; it may only be an optional \
                 [dependencies] entry (a feature) or a [dev-dependencies] entry",
                "pay-easypay: declares pay-testkit in [build-dependencies]; it may only be a \
                 [dev-dependencies] entry",
                "pay-app: depends on pay-demo, a binary that carries pay-testkit; nothing may",
            ]
        );
    }

    #[test]
    fn path_dependencies_need_a_version() {
        use DependencyKind::{Dev, Normal};
        let good = Metadata {
            packages: vec![package(
                "pay",
                &[
                    ("pay-core", Normal, "^0.0.0", Some("/w/crates/pay-core")),
                    ("serde", Normal, "^1", None),
                ],
            )],
            nodes: Vec::new(),
        };
        assert_eq!(unversioned_path_dependencies(&good), []);

        let bad = Metadata {
            packages: vec![package(
                "pay",
                &[("pay-testkit", Dev, "*", Some("/w/crates/pay-testkit"))],
            )],
            nodes: Vec::new(),
        };
        let found = messages(&unversioned_path_dependencies(&bad));
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with("pay: path dependency `pay-testkit` in [dev-dependencies]"),
            "{found:?}"
        );
    }

    #[test]
    fn workspace_dependencies_need_a_version() {
        let good = r#"
[workspace.dependencies]
pay-core = { path = "crates/pay-core", version = "0.0.0" }
serde = { version = "1", features = ["derive"] } # a path = comment is ignored
tokio = "1"

[workspace.dependencies.pay-signing]
path = "crates/pay-signing"
version = "0.0.0"

[workspace.lints.rust]
path = "not a dependency"
"#;
        assert_eq!(unversioned_workspace_dependencies("Cargo.toml", good), []);

        let bad = r#"
[workspace.dependencies]
pay-core = { path = "crates/pay-core" }
pay-easypay = { path = "crates/pay-easypay", version = "0.0.0" }

[workspace.dependencies.pay-signing]
path = "crates/pay-signing"
"#;
        assert_eq!(
            messages(&unversioned_workspace_dependencies("Cargo.toml", bad)),
            [
                "Cargo.toml:3: internal dependency `pay-core` has a `path` but no `version`",
                "Cargo.toml:6: internal dependency `pay-signing` has a `path` but no `version`",
            ]
        );
    }

    #[test]
    fn floats_are_found_as_types_and_literal_suffixes() {
        let good = "//! Money.\npub struct Amount { minor_units: i64 }\nconst MASK: u32 = 0x1f64;\nfn of64() {}\n";
        assert_eq!(float_types("a.rs", good), []);

        let bad = "//! Money.\nfn half(x: f64) -> f32 {}\nlet y = 1.5f64;\n/// Never an f64.\n";
        let found = messages(&float_types("a.rs", bad));
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found[0].starts_with("a.rs:2: `f64`"), "{found:?}");
        assert!(found[1].starts_with("a.rs:2: `f32`"), "{found:?}");
        assert!(found[2].starts_with("a.rs:3: `5f64`"), "{found:?}");
        assert!(found[3].starts_with("a.rs:4: `f64`"), "{found:?}");
    }

    #[test]
    fn modules_need_a_doc_comment_first() {
        assert_eq!(missing_module_doc("a.rs", "//! Docs.\nfn f() {}\n"), []);
        assert_eq!(
            missing_module_doc("a.rs", "\n\n//! Generated by `cargo xtask codegen`.\n"),
            []
        );

        assert_eq!(
            messages(&missing_module_doc(
                "a.rs",
                "\nuse std::fs;\n//! Too late.\n"
            )),
            ["a.rs:2: module must start with a `//!` comment saying what it is for"]
        );
        assert_eq!(
            messages(&missing_module_doc(
                "a.rs",
                "/// Item docs, not module docs.\n"
            )),
            ["a.rs:1: module must start with a `//!` comment saying what it is for"]
        );
        assert_eq!(
            messages(&missing_module_doc("a.rs", " \n")),
            ["a.rs: empty module: start it with a `//!` comment"]
        );
    }

    #[test]
    fn printing_macros_are_found_outside_comments() {
        let good = "//! Lib.\n/// ```\n/// println!(\"{}\", amount);\n/// ```\nfn f() { writeln!(out, \"x\"); my_print!(); }\n";
        assert_eq!(printing("lib.rs", good), []);

        let bad = "fn f() {\n    println!(\"a\");\n    std::eprintln!(\"b\");\n    print!(\"c\"); eprint!(\"d\");\n    dbg!(x);\n}\n";
        let found: Vec<String> = printing("lib.rs", bad)
            .into_iter()
            .map(|v| {
                format!(
                    "{} {}",
                    v.location,
                    v.message.split(' ').next().unwrap_or_default()
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                "lib.rs:2 `println!`",
                "lib.rs:3 `eprintln!`",
                "lib.rs:4 `print!`",
                "lib.rs:4 `eprint!`",
                "lib.rs:5 `dbg!`",
            ]
        );
    }

    #[test]
    fn should_panic_and_ignore_are_found() {
        let good = concat!(
            "#[test]\nfn ok() {}\n// #[",
            "ignore] in a comment is inert\n",
            "#[",
            "ignored_by_nothing]\nlet ignore = 1;\n",
        );
        assert_eq!(banned_test_attributes("t.rs", good), []);

        let bad = concat!(
            "#[",
            "should_panic(expected = \"x\")]\n",
            "  # [ ",
            "ignore = \"slow\" ]\n",
            "#[cfg_attr",
            "(miri, ",
            "ignore)]\n",
        );
        let found: Vec<String> = banned_test_attributes("t.rs", bad)
            .into_iter()
            .map(|v| v.location)
            .collect();
        assert_eq!(found, ["t.rs:1", "t.rs:2", "t.rs:3"]);
    }

    #[test]
    fn tokens_split_on_non_word_characters() {
        let found: Vec<(usize, &str)> = tokens("a::b_c(1.5f64)é!").collect();
        assert_eq!(
            found,
            [(0, "a"), (3, "b_c"), (7, "1"), (9, "5f64"), (14, "é")]
        );
    }
}
